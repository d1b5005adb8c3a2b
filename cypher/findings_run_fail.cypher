// Findings store: mark a run failed (its findings were never written). Only a run still running: one whose
// findings were committed (a SIGTERM landing just after the commit) stays succeeded with its count.
// Returns nothing.
// Parameters: $id, $finished_at (datetime), $seconds, $error (message), $detector_seconds (JSON string).
MATCH (r:DetectorRun {id: $id})
WHERE r.status = 'running'
SET r.status = 'failed', r.finished_at = $finished_at, r.seconds = $seconds, r.error = $error,
    r.detector_seconds = $detector_seconds, r.finding_count = 0
