// One page of a node's neighbourhood, one row per relationship (either direction), in a stable order.
// Parameters: $node_id (element id string), $skip (int), $limit (int).
MATCH (n)
WHERE elementId(n) = $node_id
MATCH (n)-[r]-(m)
WITH r, m
ORDER BY type(r), elementId(m)
SKIP $skip
LIMIT $limit
WITH r, startNode(r) AS a, endNode(r) AS b
RETURN elementId(a) AS a_id, labels(a)[0] AS a_label, properties(a) AS a_props, type(r) AS rel,
       elementId(b) AS b_id, labels(b)[0] AS b_label, properties(b) AS b_props
