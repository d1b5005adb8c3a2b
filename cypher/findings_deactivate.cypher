// Findings store: findings of the run's detectors that this run did not find again become inactive
// (kept, never deleted: cases may refer to them).
// Returns deactivated (how many).
// Parameters: $run_id, $detectors (list of detector codes that ran).
MATCH (n:Ring|Alert)
WHERE n.active = true AND n.detector IN $detectors AND n.last_seen_run <> $run_id
SET n.active = false
RETURN count(n) AS deactivated
