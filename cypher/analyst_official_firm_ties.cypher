// Conflicts of interest: officials tied to a firm outside their work, with what they did with that firm. A tie is a
// declared relative who holds a role in the firm (shareholder, legal representative, director), or a phone, e-mail
// or address the official or a declared relative shares with the firm. Dealings: the official's inspections of the
// firm (and how many passed), approvals decided for it, and committees of tenders it bid in (and won).
// Returns one row per official and firm, those with the most dealings first; ties = one sentence per tie.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $official_id (string, or null for every official), $limit (int, e.g. 100).
// Example: {"official_id": null, "limit": 100}
CALL () {
  MATCH (o:Official)-[kin:RELATED_TO]->(p:Person)-[role:SHAREHOLDER_OF|LEGAL_REP_OF|DIRECTOR_OF]->(f:Firm)
  WHERE $official_id IS NULL OR o.id = $official_id
  RETURN o, f, 'their ' + coalesce(kin.relation, 'relative') + ' ' + coalesce(p.name, p.id) + ' (' + p.id + ') ' +
         CASE type(role)
           WHEN 'SHAREHOLDER_OF' THEN
             CASE WHEN role.share IS NULL THEN 'is a shareholder'
                  ELSE 'holds ' + toString(toInteger(round(CASE WHEN role.share <= 1 THEN 100 * role.share
                                                                ELSE role.share END)))
                       + ' % of its shares' END
           WHEN 'LEGAL_REP_OF' THEN 'is its legal representative'
           ELSE 'is its director' END AS tie
  UNION
  MATCH (o:Official)-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(v)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(f:Firm)
  WHERE $official_id IS NULL OR o.id = $official_id
  RETURN o, f, 'the official shares its ' + toLower(labels(v)[0]) + ' ' + v.value AS tie
  UNION
  MATCH (o:Official)-[kin:RELATED_TO]->(p:Person)-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(v)
        <-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(f:Firm)
  WHERE $official_id IS NULL OR o.id = $official_id
  RETURN o, f, 'their ' + coalesce(kin.relation, 'relative') + ' ' + coalesce(p.name, p.id) + ' (' + p.id +
         ') shares its ' + toLower(labels(v)[0]) + ' ' + v.value AS tie
}
WITH o, f, collect(DISTINCT tie) AS ties
CALL (o, f) {
  OPTIONAL MATCH (o)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f)
  RETURN count(i) AS inspections, count(CASE WHEN i.result = 'pass' THEN 1 END) AS passed
}
CALL (o, f) {
  OPTIONAL MATCH (o)-[:DECIDED]->(a:Approval)<-[:APPLIED]-(f)
  RETURN count(a) AS approvals
}
CALL (o, f) {
  OPTIONAL MATCH (o)-[:EVALUATED]->(t:Tender)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(f)
  WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  WITH DISTINCT t
  RETURN count(t) AS committees, count(CASE WHEN EXISTS { (t)-[:AWARDED_TO]->(f) } THEN t END) AS won
}
RETURN o.id AS official_id, coalesce(o.name, o.id) AS official, o.department_id AS department_id, f.id AS firm_id,
       coalesce(f.name, f.id) AS firm, ties, inspections, passed, approvals, committees, won
ORDER BY inspections + approvals + committees DESC, official_id, firm_id
LIMIT $limit
