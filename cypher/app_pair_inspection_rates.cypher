// Inspection pass rates for an official–firm pair against the official's other firms and against department
// peers (other officials of the same department): one row per (by_official, of_firm) group.
// Parameters: $official_id (string), $firm_id (string).
MATCH (o:Official {id: $official_id})
MATCH (peer:Official)
WHERE peer.department_id = o.department_id
MATCH (peer)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f:Firm)
WITH peer = o AS by_official, f.id = $firm_id AS of_firm, i
RETURN by_official, of_firm, count(i) AS inspections,
       avg(CASE WHEN i.result = 'pass' THEN 1.0 ELSE 0.0 END) AS pass_rate,
       avg(coalesce(i.penalty, 0.0)) AS mean_penalty
ORDER BY by_official DESC, of_firm DESC
