// A firm's identifiers (phones, e-mails, addresses) and people (legal reps, shareholders, directors), with every
// other firm that shares each of them (each firm once). The tie in words: phone, e-mail, address; a person's
// roles (director, legal representative, shareholder) joined with " + " in that order, one row per person.
// Parameters: $firm_id (string, e.g. "F1").
MATCH (f:Firm {id: $firm_id})
CALL (f) {
  MATCH (f)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN CASE type(r) WHEN 'HAS_PHONE' THEN 'phone' WHEN 'HAS_EMAIL' THEN 'e-mail' ELSE 'address' END AS tie,
         x.value AS via,
         COLLECT { MATCH (x)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(g:Firm) WHERE g <> f RETURN DISTINCT g.id ORDER BY g.id }
           AS shared_with
  UNION ALL
  MATCH (p:Person)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f)
  WITH DISTINCT f, p
  WITH f, p, COLLECT { MATCH (p)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f) WITH DISTINCT type(r) AS rel
                       RETURN CASE rel WHEN 'LEGAL_REP_OF' THEN 'legal representative'
                                       WHEN 'SHAREHOLDER_OF' THEN 'shareholder' ELSE 'director' END AS role
                       ORDER BY role } AS roles
  RETURN reduce(joined = head(roles), role IN tail(roles) | joined + ' + ' + role) AS tie,
         p.id + ' ' + coalesce(p.name, '') AS via,
         COLLECT { MATCH (p)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(g:Firm) WHERE g <> f RETURN DISTINCT g.id ORDER BY g.id }
           AS shared_with
}
RETURN tie, via, shared_with, size(shared_with) AS other_firms
ORDER BY other_firms DESC, tie, via
