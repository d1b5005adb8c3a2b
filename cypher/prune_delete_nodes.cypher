// Pruning a full extract: delete nodes (and their relationships) the source's latest extract no longer has.
// $rows: [{element_id, id}] as prune_read_nodes returned them, inside the same job lock; a node is deleted
// only if it still has that id and source. $source: the load's label. Returns nothing.
UNWIND $rows AS row
MATCH (n)
WHERE elementId(n) = row.element_id AND n.id = row.id AND n.source = $source
DETACH DELETE n
