// Nodes per data label of the model (graph/model.py), answered from the count store so it stays fast on big
// graphs. Keep the list in step with the model's data labels (findings and runs are counted elsewhere).
// Parameters: none.
MATCH (n:Department) RETURN 'Department' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Official) RETURN 'Official' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Firm) RETURN 'Firm' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Person) RETURN 'Person' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Tender) RETURN 'Tender' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Bid) RETURN 'Bid' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Inspection) RETURN 'Inspection' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Approval) RETURN 'Approval' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Phone) RETURN 'Phone' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Email) RETURN 'Email' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Address) RETURN 'Address' AS label, count(n) AS nodes
UNION ALL
MATCH (n:IP) RETURN 'IP' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Document) RETURN 'Document' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Lot) RETURN 'Lot' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Award) RETURN 'Award' AS label, count(n) AS nodes
UNION ALL
MATCH (n:Contract) RETURN 'Contract' AS label, count(n) AS nodes
