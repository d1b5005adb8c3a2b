// Findings retention: delete the findings findings_retention_plan chose, with their links (MEMBER_OF, CONCERNS,
// FOUND). The app does not take the job lock, so each is checked once more: one an investigator triaged since the
// plan was read (a CaseEvent, a status, an assignee) stays. Run it before findings_retention_delete_runs.
// Parameters: $rows = [{element_id}].
// Returns nothing (the write counters say how many nodes went).
UNWIND $rows AS row
MATCH (n)
WHERE elementId(n) = row.element_id AND (n:Ring OR n:Alert) AND n.active = false
  AND coalesce(n.status, 'open') = 'open' AND n.assignee IS NULL AND NOT EXISTS { (:CaseEvent)-[:ON]->(n) }
DETACH DELETE n
