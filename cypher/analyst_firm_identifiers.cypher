// A firm's identifiers (phones, e-mails, addresses) and people (legal reps, shareholders, directors), with every
// other firm that shares each of them (each firm once) and the officials tied to each: an official who holds the
// phone, e-mail or address too, or who declared the person a relative ("O1 Olga Inspector (sister)"; "self" when the
// person is the official). The tie in words: phone, e-mail, address; a person's roles (director, legal
// representative, shareholder with the largest share recorded, "shareholder 45 %") joined with " + " in that order,
// one row per person.
// Parameters: $firm_id (string, e.g. "F1").
MATCH (f:Firm {id: $firm_id})
CALL (f) {
  MATCH (f)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN CASE type(r) WHEN 'HAS_PHONE' THEN 'phone' WHEN 'HAS_EMAIL' THEN 'e-mail' ELSE 'address' END AS tie,
         x.value AS via,
         COLLECT { MATCH (x)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(g:Firm) WHERE g <> f RETURN DISTINCT g.id ORDER BY g.id }
           AS shared_with,
         COLLECT { MATCH (x)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(o:Official)
                   RETURN DISTINCT o.id + ' ' + coalesce(o.name, '') AS official ORDER BY official } AS officials
  UNION ALL
  MATCH (p:Person)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f)
  WITH DISTINCT f, p
  WITH f, p, COLLECT { MATCH (p)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f) WITH type(r) AS rel, max(r.share) AS share
                       RETURN CASE rel WHEN 'LEGAL_REP_OF' THEN 'legal representative'
                                       WHEN 'DIRECTOR_OF' THEN 'director'
                                       ELSE 'shareholder' + CASE WHEN share IS NULL THEN ''
                                                            ELSE ' ' + toString(toInteger(round(100 * share))) + ' %' END
                              END AS role
                       ORDER BY role } AS roles
  RETURN reduce(joined = head(roles), role IN tail(roles) | joined + ' + ' + role) AS tie,
         p.id + ' ' + coalesce(p.name, '') AS via,
         COLLECT { MATCH (p)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(g:Firm) WHERE g <> f RETURN DISTINCT g.id ORDER BY g.id }
           AS shared_with,
         COLLECT { MATCH (o:Official)-[k:RELATED_TO]->(p)
                   RETURN DISTINCT o.id + ' ' + coalesce(o.name, '') + ' (' + coalesce(k.relation, 'relative') + ')'
                     AS official ORDER BY official } AS officials
}
RETURN tie, via, shared_with, size(shared_with) AS other_firms, officials
ORDER BY other_firms DESC, tie, via
