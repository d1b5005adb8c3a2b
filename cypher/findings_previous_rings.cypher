// Findings store: the rings of the given detectors found by earlier runs, to match this run's rings
// against — the active ones first, then those that went unseen for a run or more.
// Returns id, detector, member_ids, active.
// Parameters: $detectors (list of detector codes).
MATCH (g:Ring)
WHERE g.detector IN $detectors
RETURN g.id AS id, g.detector AS detector, g.member_ids AS member_ids, coalesce(g.active, false) AS active
ORDER BY id
