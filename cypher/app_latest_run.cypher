// The latest detector run: when it started and finished, how long it took, its status, its parameters (JSON string),
// per-detector seconds, for a failed run its error, and when the latest successful run started (null if none).
// Parameters: none.
CALL () {
  OPTIONAL MATCH (s:DetectorRun {status: 'succeeded'})
  RETURN toString(s.started_at) AS last_succeeded_at ORDER BY s.started_at DESC LIMIT 1
}
MATCH (r:DetectorRun)
RETURN r.id AS run_id, r.detector AS detector, r.detectors AS detectors, toString(r.started_at) AS started_at,
       toString(r.finished_at) AS finished_at, r.seconds AS seconds, r.status AS status, r.params AS params,
       r.detector_seconds AS detector_seconds, r.finding_count AS finding_count, r.code_version AS code_version,
       r.error AS error, last_succeeded_at
ORDER BY r.started_at DESC
LIMIT 1
