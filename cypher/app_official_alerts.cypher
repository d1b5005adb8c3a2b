// Official-profile findings (Alert kind 'official') for one official, or for all when $official_id is null.
// Parameters: $official_id (string or null).
MATCH (a:Alert {kind: 'official'})-[:CONCERNS]->(o:Official)
WHERE ($official_id IS NULL OR o.id = $official_id) AND coalesce(a.active, true)
RETURN a.id AS alert_id, o.id AS official_id, coalesce(o.name, o.id) AS official_name, a.score AS score,
       coalesce(a.status, 'open') AS status, a.explanation AS explanation, a.evidence AS evidence
ORDER BY a.score DESC, a.id
