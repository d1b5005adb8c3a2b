// Pruning a full extract: delete relationships the source's latest extract no longer has.
// $rows: [{element_id}] as prune_read_rels returned them, inside the same job lock; a relationship is
// deleted only if it still has that source. $source: the load's label. Returns nothing.
UNWIND $rows AS row
MATCH ()-[r]->()
WHERE elementId(r) = row.element_id AND r.source = $source
DELETE r
