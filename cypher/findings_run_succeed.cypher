// Findings store: mark a run succeeded (last statement of the run's one findings transaction).
// Returns nothing.
// Parameters: $id, $finished_at (datetime), $seconds, $finding_count, $detector_seconds (JSON string).
MATCH (r:DetectorRun {id: $id})
SET r.status = 'succeeded', r.finished_at = $finished_at, r.seconds = $seconds,
    r.finding_count = $finding_count, r.detector_seconds = $detector_seconds
