// The highest-scoring current findings, the best few of each detector, so a detector that
// emits thousands of findings (tender screens, red flags) cannot crowd out rings and pairs.
// about: what it is about, "Name (id)" — a ring's members, else the alert's subjects (a tender, a firm, an official).
// Parameters: $limit (int) — how many rows; $per_detector (int) — at most this many per detector.
// Example: {limit: 15, per_detector: 3}
MATCH (f:Ring|Alert)
WHERE coalesce(f.active, true)
WITH f ORDER BY f.score DESC, f.id
WITH f.detector AS detector, collect(f)[..$per_detector] AS best
UNWIND best AS f
RETURN f.id AS finding_id, CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, f.detector AS detector,
       f.score AS score, coalesce(f.status, 'open') AS status,
       [s IN CASE WHEN f:Ring THEN COLLECT { MATCH (m:Firm)-[:MEMBER_OF]->(f) RETURN m ORDER BY m.id }
                  ELSE COLLECT { MATCH (f)-[:CONCERNS]->(x) WHERE x.id IN coalesce(f.subject_ids, []) RETURN x
                                 ORDER BY x.id } END
        | CASE WHEN coalesce(s.name, s.title) IS NULL THEN s.id ELSE coalesce(s.name, s.title) + ' (' + s.id + ')' END]
         AS about,
       f.explanation AS explanation
ORDER BY score DESC, finding_id
LIMIT $limit
