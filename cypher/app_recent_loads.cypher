// The most recent loads, newest first: what was loaded from where, when, how it went and the counts.
// Parameters: $limit (integer).
MATCH (r:LoadRun)
RETURN toString(r.started_at) AS started_at, toString(r.finished_at) AS finished_at, r.status AS status,
       r.kind AS kind, r.source AS source, r.input AS input, r.rows_read AS rows_read, r.rows_loaded AS rows_loaded,
       r.rejected AS rejected, r.pruned AS pruned, coalesce(r.error, r.note) AS note
ORDER BY r.started_at DESC
LIMIT $limit
