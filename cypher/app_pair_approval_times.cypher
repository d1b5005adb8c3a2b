// Approval decision times for an official–firm pair against the official's other firms and department peers:
// one row per (by_official, of_firm) group, decided approvals only.
// Parameters: $official_id (string), $firm_id (string).
MATCH (o:Official {id: $official_id})
MATCH (peer:Official)
WHERE peer.department_id = o.department_id
MATCH (f:Firm)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(peer)
WHERE a.decided_at IS NOT NULL
WITH peer = o AS by_official, f.id = $firm_id AS of_firm, duration.inDays(a.applied_at, a.decided_at).days AS days
RETURN by_official, of_firm, count(*) AS approvals, avg(days) AS mean_days,
       percentileCont(days, 0.5) AS median_days
ORDER BY by_official DESC, of_firm DESC
