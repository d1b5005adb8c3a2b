// Active findings about one department as a buyer (Alert kind 'buyer': Cardinal's red flags), highest score first.
// Parameters: $department_id (string).
MATCH (a:Alert {kind: 'buyer'})-[:CONCERNS]->(d:Department {id: $department_id})
WHERE coalesce(a.active, true)
RETURN a.id AS alert_id, a.detector AS detector, a.score AS score, coalesce(a.status, 'open') AS status,
       a.explanation AS explanation, a.evidence AS evidence
ORDER BY a.score DESC, a.id
