// Departments with how many officials work in each, for filters.
// Parameters: none.
MATCH (d:Department)
RETURN d.id AS department_id, coalesce(d.name, d.id) AS name, COUNT { (:Official)-[:WORKS_IN]->(d) } AS officials
ORDER BY name
