// Findings store: record the start of a detector run (status 'running'; no findings are visible yet).
// Returns nothing.
// Parameters: $id, $started_at (datetime), $detectors (list of detector codes), $detector (the codes
// joined by commas), $params (JSON string), $code_version, $seed.
CREATE (:DetectorRun {id: $id, started_at: $started_at, status: 'running', detectors: $detectors,
                      detector: $detector, params: $params, code_version: $code_version, seed: $seed})
