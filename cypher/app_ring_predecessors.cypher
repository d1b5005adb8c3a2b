// Rings the latest detector run no longer found that share members with ring $ring_id and that investigators
// triaged: a ring found again with its membership changed beyond recognition (graph/findings_store.py matches at half
// the members) is a new ring with an open status, and its predecessor's triage lives on the old one. Most shared
// members first, then the latest triage.
// Returns ring_id, shared (members in common), members (the old ring's), status, assignee, last_event_at,
// last_event_by.
// Parameters: $ring_id (string).
MATCH (r:Ring {id: $ring_id})<-[:MEMBER_OF]-(f:Firm)-[:MEMBER_OF]->(old:Ring)
WHERE old <> r AND NOT coalesce(old.active, true)
WITH old, count(DISTINCT f) AS shared
MATCH (e:CaseEvent)-[:ON]->(old)
WITH old, shared, e ORDER BY e.at DESC, e.seq DESC
WITH old, shared, collect(e)[0] AS last
RETURN old.id AS ring_id, shared, COUNT { (:Firm)-[:MEMBER_OF]->(old) } AS members,
       coalesce(old.status, 'open') AS status, old.assignee AS assignee, toString(last.at) AS last_event_at,
       last.user AS last_event_by
ORDER BY shared DESC, last.at DESC, ring_id
