// Official–firm closeness findings (Alert kind 'pair'), highest score first, with both subjects and how many
// case events (events) they have.
// Parameters: $include_inactive (bool) — also pairs the latest detector run no longer produced.
MATCH (a:Alert {kind: 'pair'})
WHERE $include_inactive OR coalesce(a.active, true)
OPTIONAL MATCH (a)-[:CONCERNS]->(o:Official)
OPTIONAL MATCH (a)-[:CONCERNS]->(f:Firm)
RETURN a.id AS alert_id, a.score AS score, coalesce(a.status, 'open') AS status, a.assignee AS assignee,
       o.id AS official_id, coalesce(o.name, o.id) AS official_name, o.department_id AS department_id,
       f.id AS firm_id, coalesce(f.name, f.id) AS firm_name, a.explanation AS explanation, a.evidence AS evidence,
       COUNT { (:CaseEvent)-[:ON]->(a) } AS events
ORDER BY a.score DESC, a.id
