// One node by element id: its label, properties and number of relationships.
// Parameters: $node_id (element id string).
MATCH (n)
WHERE elementId(n) = $node_id
RETURN elementId(n) AS node_id, labels(n)[0] AS label, properties(n) AS props, COUNT { (n)--() } AS degree
