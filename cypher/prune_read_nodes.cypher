// Pruning a full extract: every node of one label that a load of this source wrote, with its element id.
// Parameters: $label (a data-model label, e.g. 'Bid'), $source (the load's label).
// Returns one row: rows = [[element_id, id], …] (one list, not a record per node: 232,500 bids arrive in
// 2.4 s this way, 6–9 s as records). The label is matched in WHERE, which any Neo4j 5 runs (a dynamic
// label in the pattern needs 5.26 and plans as the same scan there).
MATCH (n)
WHERE n.source = $source AND $label IN labels(n)
RETURN collect([elementId(n), n.id]) AS rows
