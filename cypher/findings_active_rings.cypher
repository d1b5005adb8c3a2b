// Findings store: the active rings of the given detectors, to match this run's rings against.
// Returns id, detector, member_ids.
// Parameters: $detectors (list of detector codes).
MATCH (g:Ring)
WHERE g.active = true AND g.detector IN $detectors
RETURN g.id AS id, g.detector AS detector, g.member_ids AS member_ids
ORDER BY id
