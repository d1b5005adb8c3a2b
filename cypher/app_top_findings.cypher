// The highest-scoring current findings, the best few of each detector, so a detector that
// emits thousands of findings (tender screens, red flags) cannot crowd out rings and pairs.
// Parameters: $limit (int) — how many rows; $per_detector (int) — at most this many per detector.
// Example: {limit: 15, per_detector: 3}
MATCH (f:Ring|Alert)
WHERE coalesce(f.active, true)
WITH f ORDER BY f.score DESC, f.id
WITH f.detector AS detector, collect(f)[..$per_detector] AS best
UNWIND best AS f
RETURN f.id AS finding_id, CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, f.detector AS detector,
       f.score AS score, coalesce(f.status, 'open') AS status, f.explanation AS explanation
ORDER BY score DESC, finding_id
LIMIT $limit
