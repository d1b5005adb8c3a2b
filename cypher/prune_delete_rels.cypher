// Pruning a full extract: delete relationships the source's latest extract no longer has.
// $rows: [{element_id, type}] as prune_read_rels returned them, inside the same job lock; a relationship is
// deleted only while it still has that type and source. $source: the load's label. Returns nothing.
UNWIND $rows AS row
MATCH ()-[r]->()
WHERE elementId(r) = row.element_id AND type(r) = row.type AND r.source = $source
DELETE r
