// The triage history of one finding, oldest first (in the order written: seq, for the events of one save):
// who did what when (status, assignment, comment).
// Parameters: $finding_id (string).
MATCH (e:CaseEvent)-[:ON]->(f:Ring|Alert {id: $finding_id})
RETURN e.id AS event_id, toString(e.at) AS at, e.user AS user, e.action AS action, e.status AS status,
       e.assignee AS assignee, e.comment AS comment
ORDER BY e.at, e.seq, e.id
