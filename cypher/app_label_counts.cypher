// Nodes per data label of the model (graph/model.py), answered from the count store so it stays fast on big
// graphs. Keep the list in step with the model's data labels (findings and runs are counted elsewhere).
// count(n) must be the only thing aggregated: a literal label beside it (RETURN 'Bid' AS label, count(n)) is a
// grouping key, and then Neo4j scans every node of the label instead of reading the count store. A label
// with no nodes is left out, as before.
// Parameters: none.
MATCH (n:Department) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Department' AS label, nodes
UNION ALL
MATCH (n:Official) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Official' AS label, nodes
UNION ALL
MATCH (n:Firm) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Firm' AS label, nodes
UNION ALL
MATCH (n:Person) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Person' AS label, nodes
UNION ALL
MATCH (n:Tender) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Tender' AS label, nodes
UNION ALL
MATCH (n:Bid) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Bid' AS label, nodes
UNION ALL
MATCH (n:Inspection) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Inspection' AS label, nodes
UNION ALL
MATCH (n:Approval) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Approval' AS label, nodes
UNION ALL
MATCH (n:Phone) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Phone' AS label, nodes
UNION ALL
MATCH (n:Email) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Email' AS label, nodes
UNION ALL
MATCH (n:Address) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Address' AS label, nodes
UNION ALL
MATCH (n:IP) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'IP' AS label, nodes
UNION ALL
MATCH (n:Document) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Document' AS label, nodes
UNION ALL
MATCH (n:Lot) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Lot' AS label, nodes
UNION ALL
MATCH (n:Award) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Award' AS label, nodes
UNION ALL
MATCH (n:Contract) WITH count(n) AS nodes WHERE nodes > 0 RETURN 'Contract' AS label, nodes
