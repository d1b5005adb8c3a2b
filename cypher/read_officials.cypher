// Market projection, one page of officials (keyset paging on Official.id).
// Returns one row: rows = [[official_id, name, department_id, role], …] and next_after;
// department_id is the property, else the Department the official WORKS_IN.
// Parameters: $after ('' for the first page), $limit (officials per page).
MATCH (o:Official) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
WITH collect(o) AS page
CALL (page) {
  UNWIND page AS o
  RETURN collect([o.id, o.name,
                  coalesce(o.department_id, head([(o)-[:WORKS_IN]->(d:Department) | d.id])),
                  o.role]) AS rows
}
RETURN rows, page[-1].id AS next_after
