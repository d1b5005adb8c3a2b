// Pruning a full extract: every node of one label that a load of this source wrote, with its element id.
// Parameters: $label (a data-model label, e.g. 'Bid'; dynamic, not string-built), $source (the load's label).
// Returns: element_id, id.
MATCH (n:$($label))
WHERE n.source = $source
RETURN elementId(n) AS element_id, n.id AS id
