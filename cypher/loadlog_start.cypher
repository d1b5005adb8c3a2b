// Load log: record the start of a load (status 'running'); a load still 'running' from before died with its
// process (the caller holds the database's job lock, so no other load runs) and becomes 'interrupted'.
// Parameters: $id, $kind ('csv', 'bids', 'ocds'), $source (the load's source label), $input (the files),
// $started_at (datetime). Returns interrupted (how many earlier loads were marked).
OPTIONAL MATCH (old:LoadRun {status: 'running'})
SET old.status = 'interrupted', old.finished_at = $started_at,
    old.error = 'the process running it ended before it finished; re-running the load completes it'
WITH count(old) AS interrupted
CREATE (:LoadRun {id: $id, kind: $kind, source: $source, input: $input, started_at: $started_at,
                  status: 'running'})
RETURN interrupted
