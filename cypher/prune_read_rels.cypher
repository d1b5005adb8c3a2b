// Pruning a full extract: every relationship of the given types that a load of this source wrote, with its
// type and its ends' ids.
// Parameters: $types (data-model relationship types, e.g. ['EVALUATED']), $source (the load's label).
// Returns one row: rows = [[element_id, type, start_id, end_id], …] (one list, as prune_read_nodes; one
// scan for a file's several types).
MATCH (a)-[r]->(b)
WHERE type(r) IN $types AND r.source = $source
RETURN collect([elementId(r), type(r), a.id, b.id]) AS rows
