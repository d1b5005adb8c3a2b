// The highest-scoring current findings across all detectors.
// Parameters: $limit (int) — how many rows.
MATCH (f:Ring|Alert)
WHERE coalesce(f.active, true)
RETURN f.id AS finding_id, CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, f.detector AS detector,
       f.score AS score, coalesce(f.status, 'open') AS status, f.explanation AS explanation
ORDER BY f.score DESC, f.id
LIMIT $limit
