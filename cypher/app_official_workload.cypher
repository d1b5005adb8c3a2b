// Per-official record for a period: workload (inspections, approvals decided or pending past their deadline,
// tender evaluations), approvals past their statutory days (decided late, or still pending past the deadline as
// of $as_of), mean approval days, passes (results in $passed_results, compared in lower case, as the detectors
// read them; results: the inspections with a result recorded), and the strongest closeness (pair: its score and
// id, closest_pair) and official-profile alert scores. An approval still pending
// within its deadline is neither work done nor late, and is not counted. A decision dated before its application
// (a data error) is work done but has no days: not in the mean, never late (detectors.official_profile).
// Parameters: $department_id (string or null for all), $date_from, $date_to (ISO dates or null: unbounded),
//   $as_of (ISO date: the day pending approvals are measured against, the data's last date), $passed_results (list of strings).
MATCH (o:Official)
WHERE $department_id IS NULL OR o.department_id = $department_id
OPTIONAL MATCH (o)-[:WORKS_IN]->(d:Department)
CALL (o) {
  OPTIONAL MATCH (o)-[:CONDUCTED]->(i:Inspection)
  WHERE (($date_from IS NULL OR i.date >= date($date_from)) AND ($date_to IS NULL OR i.date <= date($date_to)))
  RETURN count(i) AS inspections, count(i.result) AS results,
         count(CASE WHEN toLower(trim(i.result)) IN $passed_results THEN 1 END) AS passes
}
CALL (o) {
  OPTIONAL MATCH (o)-[:DECIDED]->(a:Approval)
  WHERE (($date_from IS NULL OR a.applied_at >= date($date_from)) AND ($date_to IS NULL OR a.applied_at <= date($date_to)))
  WITH a, duration.inDays(a.applied_at, coalesce(a.decided_at, date($as_of))).days AS days
  WITH a, days, a.statutory_days IS NOT NULL AND days > a.statutory_days AS late
  RETURN count(CASE WHEN a.decided_at IS NOT NULL OR late THEN 1 END) AS approvals,
         count(CASE WHEN late THEN 1 END) AS overdue,
         avg(CASE WHEN a.decided_at IS NOT NULL AND days >= 0 THEN days END) AS mean_approval_days
}
CALL (o) {
  OPTIONAL MATCH (o)-[:EVALUATED]->(t:Tender)
  WHERE (($date_from IS NULL OR t.published_at >= date($date_from)) AND ($date_to IS NULL OR t.published_at <= date($date_to)))
  RETURN count(t) AS evaluations
}
CALL (o) {
  OPTIONAL MATCH (p:Alert {kind: 'pair'})-[:CONCERNS]->(o)
  WHERE coalesce(p.active, true)
  WITH p ORDER BY p.score DESC, p.id
  RETURN max(p.score) AS closeness, count(p) AS pair_alerts, head(collect(p.id)) AS closest_pair
}
CALL (o) {
  OPTIONAL MATCH (x:Alert {kind: 'official'})-[:CONCERNS]->(o)
  WHERE coalesce(x.active, true)
  RETURN max(x.score) AS profile_score
}
RETURN o.id AS official_id, coalesce(o.name, o.id) AS name, o.role AS role, o.department_id AS department_id,
       coalesce(d.name, o.department_id) AS department, inspections, results, passes, approvals, overdue,
       mean_approval_days, evaluations, closeness, pair_alerts, closest_pair, profile_score
ORDER BY official_id
