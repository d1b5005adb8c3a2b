// Findings retention: delete the findings findings_retention_plan chose, with their links (MEMBER_OF, CONCERNS,
// FOUND). The app does not take the job lock, so each is checked once more, after this transaction has taken the
// node's write lock (the SET): a triage the app committed meanwhile is then seen and the finding stays, and one
// the app is writing waits for this delete and then fails, saying the finding is gone (app_queries.record_triage).
// Run it before findings_retention_delete_runs.
// Parameters: $rows = [{element_id}], $at (datetime: when retention checked the node, kept on findings that stay).
// Returns nothing (the write counters say how many nodes went).
UNWIND $rows AS row
MATCH (n)
WHERE elementId(n) = row.element_id AND (n:Ring OR n:Alert)
SET n.retention_checked_at = $at
WITH n
WHERE n.active = false AND coalesce(n.status, 'open') = 'open' AND n.assignee IS NULL
  AND NOT EXISTS { (:CaseEvent)-[:ON]->(n) }
DETACH DELETE n
