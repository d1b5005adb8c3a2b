// Approval decision times for an official–firm pair: this official with this firm and with its other firms,
// every other official (any department) with this firm, and the department peers with their other firms.
// One row per (by_official, of_firm) group, decided approvals only, and only those decided on or after their
// application (one dated before it is a data error: its days are unknown, as detectors.official_profile reads it).
// Parameters: $official_id (string), $firm_id (string).
MATCH (o:Official {id: $official_id})
CALL (o) {
  MATCH (f:Firm)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(o)
  RETURN true AS by_official, f.id = $firm_id AS of_firm, a
  UNION
  MATCH (:Firm {id: $firm_id})-[:APPLIED]->(a:Approval)<-[:DECIDED]-(other:Official)
  WHERE other <> o
  RETURN false AS by_official, true AS of_firm, a
  UNION
  MATCH (f:Firm)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(peer:Official)
  WHERE peer.department_id = o.department_id AND peer <> o AND f.id <> $firm_id
  RETURN false AS by_official, false AS of_firm, a
}
WITH by_official, of_firm, a
WHERE a.decided_at IS NOT NULL
WITH by_official, of_firm, duration.inDays(a.applied_at, a.decided_at).days AS days
WHERE days >= 0
RETURN by_official, of_firm, count(*) AS approvals, avg(days) AS mean_days,
       percentileCont(days, 0.5) AS median_days
ORDER BY by_official DESC, of_firm DESC
