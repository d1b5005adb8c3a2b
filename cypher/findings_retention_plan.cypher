// Findings retention: what `python -m detectors expire --older-than DAYS` would delete, read inside the job lock.
// A finding goes when it is inactive (no run of its detector has found it again), was last seen before $cutoff
// and was never triaged: no CaseEvent, status 'open', no assignee. A triaged finding is a case record and stays,
// whatever its age (counted as kept). A run goes when it started before $cutoff, is not 'running', is neither the
// latest run nor the latest succeeded one, and no finding that stays was first or last seen in it.
// Parameters: $cutoff (datetime).
// Returns one row: findings = [{element_id, kind ('ring' | 'alert')}], kept (inactive findings older than $cutoff
// kept because they were triaged), runs = [element_id].
OPTIONAL MATCH (f:Ring|Alert)
WITH f, coalesce(f IS NOT NULL AND f.active = false AND coalesce(f.last_seen_at, f.first_seen_at) < $cutoff,
                 false) AS stale,
     f IS NOT NULL AND (coalesce(f.status, 'open') <> 'open' OR f.assignee IS NOT NULL
                        OR EXISTS { (:CaseEvent)-[:ON]->(f) }) AS triaged
WITH collect(CASE WHEN stale AND NOT triaged
                  THEN {element_id: elementId(f), kind: CASE WHEN f:Ring THEN 'ring' ELSE 'alert' END} END) AS findings,
     count(CASE WHEN stale AND triaged THEN 1 END) AS kept,
     collect(CASE WHEN NOT stale OR triaged THEN f.first_seen_run END)
       + collect(CASE WHEN NOT stale OR triaged THEN f.last_seen_run END) AS cited
CALL () {
  OPTIONAL MATCH (r:DetectorRun)
  RETURN r.id AS latest ORDER BY r.started_at DESC LIMIT 1
}
CALL () {
  OPTIONAL MATCH (r:DetectorRun {status: 'succeeded'})
  RETURN r.id AS latest_succeeded ORDER BY r.started_at DESC LIMIT 1
}
CALL (cited, latest, latest_succeeded) {
  OPTIONAL MATCH (r:DetectorRun)
  WHERE r.started_at < $cutoff AND r.status <> 'running' AND NOT r.id IN cited
    AND r.id <> coalesce(latest, '') AND r.id <> coalesce(latest_succeeded, '')
  RETURN collect(elementId(r)) AS runs
}
RETURN findings, kept, runs
