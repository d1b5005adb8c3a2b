// Load log: record how a load ended.
// Parameters: $id, $status ('succeeded', 'partial': some input could not be read, 'failed'), $finished_at
// (datetime), $props ({rows_read, rows_loaded, rejected, pruned, note, error}; nulls allowed). Returns nothing.
MATCH (r:LoadRun {id: $id})
SET r += $props, r.status = $status, r.finished_at = $finished_at
