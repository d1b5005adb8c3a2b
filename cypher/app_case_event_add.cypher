// Append one triage event to a finding and mirror the latest status and assignee onto the finding.
// Never updates or deletes an earlier CaseEvent: the history is append-only (docs/findings_store.md).
// Parameters: $finding_id (string), $user (string), $action ('status' | 'comment' | 'assign'),
//   $status (string or null to keep), $assignee (string or null to keep), $comment (string or null).
// seq numbers the finding's events in the order written: the events of one save share their millisecond.
MATCH (f:Ring|Alert {id: $finding_id})
WITH f, COUNT { (:CaseEvent)-[:ON]->(f) } AS before
CREATE (e:CaseEvent {id: randomUUID(), at: datetime(), seq: before + 1, user: $user, action: $action,
                     status: coalesce($status, f.status, 'open'), assignee: coalesce($assignee, f.assignee),
                     comment: $comment, source: 'app'})-[:ON]->(f)
SET f.status = coalesce($status, f.status, 'open'), f.assignee = coalesce($assignee, f.assignee)
RETURN e.id AS event_id, toString(e.at) AS at
