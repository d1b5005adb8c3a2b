// Findings retention: delete the detector runs findings_retention_plan chose, with their FOUND links, after
// findings_retention_delete_findings. A run that a remaining finding was first or last seen in stays (a finding
// triaged since the plan was read kept its runs). The cited ids are gathered once per batch, not per run.
// Parameters: $rows = [{element_id}].
// Returns nothing (the write counters say how many nodes went).
CALL () {
  OPTIONAL MATCH (f:Ring|Alert)
  RETURN collect(f.first_seen_run) + collect(f.last_seen_run) AS cited
}
UNWIND $rows AS row
MATCH (n:DetectorRun)
WHERE elementId(n) = row.element_id AND NOT n.id IN cited
DETACH DELETE n
