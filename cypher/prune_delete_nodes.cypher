// Pruning a full extract: delete nodes the source's latest extract no longer has, with their own links.
// $rows: [{element_id, id}] as prune_read_nodes returned them, inside the same job lock; $label; $source;
// $links: the relationship types the node's own file writes (e.g. SUBMITTED, FOR, SENT_FROM, USES_DOCUMENT
// for a bid). A node is deleted only while it still has that id, label and source and every relationship
// it has is one of $links written by $source: a link from another source, from another file of this one
// (absent from the bundle, or not pruned) or from a finding (MEMBER_OF, CONCERNS) keeps it.
// Returns nothing.
UNWIND $rows AS row
MATCH (n)
WHERE elementId(n) = row.element_id AND n.id = row.id AND n.source = $source AND $label IN labels(n)
  AND NOT EXISTS { (n)-[r]-() WHERE NOT (type(r) IN $links AND r.source = $source) }
DETACH DELETE n
