// Inspection outcomes for an official–firm pair, in the four groups the closeness detector compares:
// this official with this firm and with its other firms, every other official (any department) with this
// firm, and the official's department peers with their other firms. One row per (by_official, of_firm).
// pass_rate and fail_rate are shares of the inspections with a recorded result (the detector's reading:
// detectors.market.PASSED_RESULTS / FAILED_RESULTS, compared in lower case); a blank penalty is none imposed.
// Parameters: $official_id (string), $firm_id (string), $passed_results, $failed_results (lists of strings).
MATCH (o:Official {id: $official_id})
CALL (o) {
  MATCH (o)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f:Firm)
  RETURN true AS by_official, f.id = $firm_id AS of_firm, i
  UNION
  MATCH (:Firm {id: $firm_id})<-[:OF]-(i:Inspection)<-[:CONDUCTED]-(other:Official)
  WHERE other <> o
  RETURN false AS by_official, true AS of_firm, i
  UNION
  MATCH (peer:Official)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f:Firm)
  WHERE peer.department_id = o.department_id AND peer <> o AND f.id <> $firm_id
  RETURN false AS by_official, false AS of_firm, i
}
RETURN by_official, of_firm, count(i) AS inspections,
       avg(CASE WHEN i.result IS NULL THEN null WHEN toLower(trim(i.result)) IN $passed_results THEN 1.0
                ELSE 0.0 END) AS pass_rate,
       avg(CASE WHEN i.result IS NULL THEN null WHEN toLower(trim(i.result)) IN $failed_results THEN 1.0
                ELSE 0.0 END) AS fail_rate,
       avg(coalesce(i.penalty, 0.0)) AS mean_penalty
ORDER BY by_official DESC, of_firm DESC
