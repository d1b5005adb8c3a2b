// The officials who supervised one firm: who inspected it and who decided its approvals, one row per official,
// most dealings first; department: the name of the department the official works in. passed counts the inspections whose result reads as a pass (detectors.market.PASSED_RESULTS,
// trimmed and compared in lower case); median_approval_days is over the approvals decided on or after their
// application (one dated before it is a data error, as app_pair_approval_times reads it), null where none is.
// Parameters: $firm_id (string, e.g. "F5"), $passed_results (list of strings).
// Example: {"firm_id": "F5", "passed_results": ["pass", "passed", "合格", "通过"]}
MATCH (f:Firm {id: $firm_id})
CALL (f) {
  MATCH (f)<-[:OF]-(i:Inspection)<-[:CONDUCTED]-(o:Official)
  RETURN o, 1 AS inspected, CASE WHEN toLower(trim(coalesce(i.result, ''))) IN $passed_results THEN 1 ELSE 0 END
         AS passed, 0 AS decided, null AS days
  UNION ALL
  MATCH (f)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(o:Official)
  WITH o, CASE WHEN a.decided_at IS NOT NULL THEN duration.inDays(a.applied_at, a.decided_at).days END AS days
  RETURN o, 0 AS inspected, 0 AS passed, 1 AS decided, CASE WHEN days >= 0 THEN days END AS days
}
WITH o, sum(inspected) AS inspections, sum(passed) AS passed, sum(decided) AS approvals,
     percentileCont(days, 0.5) AS median_approval_days
RETURN o.id AS official_id, coalesce(o.name, o.id) AS official,
       coalesce(head(COLLECT { MATCH (o)-[:WORKS_IN]->(d:Department) RETURN coalesce(d.name, d.id) ORDER BY d.id }),
                o.department_id) AS department, inspections, passed, approvals, median_approval_days
ORDER BY inspections + approvals DESC, official_id
