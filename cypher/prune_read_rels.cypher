// Pruning a full extract: every relationship of one type that a load of this source wrote, with its ends' ids.
// Parameters: $type (a data-model relationship type, e.g. 'EVALUATED'; dynamic, not string-built),
// $source (the load's label).
// Returns: element_id, type, start_id, end_id.
MATCH (a)-[r:$($type)]->(b)
WHERE r.source = $source
RETURN elementId(r) AS element_id, type(r) AS type, a.id AS start_id, b.id AS end_id
