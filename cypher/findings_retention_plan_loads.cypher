// Findings retention, the load log: the (:LoadRun) entries started before $cutoff that are not running and are
// neither the latest load nor the latest succeeded load of their kind and source (the Overview says when the
// data was last loaded and warns when that load did not succeed). An entry without a start time stays.
// Parameters: $cutoff (zoned datetime). Returns one row: loads = [element_id, …].
OPTIONAL MATCH (r:LoadRun)
WITH coalesce(r.kind, '') AS kind, coalesce(r.source, '') AS source, r ORDER BY r.started_at DESC
WITH kind, source, collect(r) AS runs
WITH runs, head(runs) AS latest, head([x IN runs WHERE x.status = 'succeeded']) AS latest_ok
UNWIND runs AS r
WITH r, latest, latest_ok
WHERE r.started_at < $cutoff AND coalesce(r.status, '') <> 'running' AND r <> latest
  AND (latest_ok IS NULL OR r <> latest_ok)
RETURN collect(elementId(r)) AS loads
