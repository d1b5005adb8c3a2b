// Findings store: mark runs still 'running' (their process died; the caller holds the run lock) as failed.
// Returns abandoned (how many runs were marked).
// Parameters: $id (the run starting now, left alone), $at (datetime).
MATCH (r:DetectorRun {status: 'running'})
WHERE r.id <> $id
SET r.status = 'failed', r.finished_at = $at,
    r.error = 'abandoned: the process running it ended before it finished'
RETURN count(r) AS abandoned
