// The most recent detector runs, newest first: when, how long, status, findings stored and, for a failed run,
// its error.
// Parameters: $limit (integer).
MATCH (r:DetectorRun)
RETURN r.id AS run_id, toString(r.started_at) AS started_at, r.seconds AS seconds, r.status AS status,
       r.finding_count AS findings, r.error AS error, r.code_version AS code_version
ORDER BY r.started_at DESC
LIMIT $limit
