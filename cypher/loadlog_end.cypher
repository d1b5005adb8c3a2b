// Load log: record how a load ended.
// Parameters: $id, $status ('succeeded', 'partial': some input could not be read or a file was left unpruned,
// 'failed', 'interrupted'), $finished_at (datetime), $props ({rows_read, rows_loaded, rejected, pruned, note}),
// $error (null unless it failed: a load marked interrupted by mistake loses that error when it ends).
// Returns nothing.
MATCH (r:LoadRun {id: $id})
SET r += $props, r.status = $status, r.finished_at = $finished_at, r.error = $error
