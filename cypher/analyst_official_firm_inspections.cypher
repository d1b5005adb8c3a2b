// Every inspection one official made of one firm, oldest first, with the result and any penalty.
// Parameters: $official_id (string, e.g. "O1"), $firm_id (string, e.g. "F1").
MATCH (o:Official {id: $official_id})-[:CONDUCTED]->(i:Inspection)-[:OF]->(f:Firm {id: $firm_id})
RETURN i.id AS inspection_id, i.date AS date, i.kind AS kind, i.result AS result, i.penalty AS penalty
ORDER BY i.date, i.id
