// A firm's identifiers (phones, e-mails, addresses) and people (legal reps, shareholders, directors), with every
// other firm that shares each of them.
// Parameters: $firm_id (string, e.g. "F1").
MATCH (f:Firm {id: $firm_id})
CALL (f) {
  MATCH (f)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN type(r) AS tie, coalesce(x.value, x.hash) AS via, [(x)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(g:Firm) WHERE g <> f | g.id] AS shared_with
  UNION ALL
  MATCH (p:Person)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f)
  RETURN type(r) AS tie, p.id + ' ' + coalesce(p.name, '') AS via, [(p)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(g:Firm) WHERE g <> f | g.id] AS shared_with
}
RETURN tie, via, shared_with, size(shared_with) AS other_firms
ORDER BY other_firms DESC, tie
