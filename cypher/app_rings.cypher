// Suspected bid-rigging rings, highest score first: members, tenders where members met, triage status, how many
// case events (events) and the evidence JSON.
// Parameters: $include_inactive (bool) — also rings the latest detector run no longer produced.
MATCH (r:Ring)
WHERE $include_inactive OR coalesce(r.active, true)
RETURN r.id AS ring_id, r.score AS score, coalesce(r.status, 'open') AS status, r.assignee AS assignee,
       [(f:Firm)-[:MEMBER_OF]->(r) | f.id] AS member_ids,
       [(f:Firm)-[:MEMBER_OF]->(r) | coalesce(f.name, f.id)] AS member_names,
       COUNT { (r)-[:CONCERNS]->(:Tender) } AS tenders,
       r.explanation AS explanation, r.evidence AS evidence, r.detector AS detector,
       coalesce(r.active, true) AS active, toString(r.first_seen_at) AS first_seen_at,
       toString(r.last_seen_at) AS last_seen_at,
       COUNT { (:CaseEvent)-[:ON]->(r) } AS events
ORDER BY r.score DESC, r.id
