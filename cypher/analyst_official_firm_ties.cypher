// Conflicts of interest: officials tied to a firm outside their work, with what they did with that firm. The ties
// are those the closeness detector weighs: the official (a person it is declared to be, RELATED_TO with relation
// 'self' — an equal id in another register is not the same person) or a declared relative holds a
// role in the firm (shareholder, legal representative, director), or shares a phone, e-mail or address with the
// firm or with a person holding a role in it (with how many firms use that value). Dealings: the official's
// inspections of the firm (and how many passed), approvals decided for it, committees of tenders it bid in (won).
// Returns one row per official and firm, those with the most dealings first; ties = one sentence per tie.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $official_id (string, or null for every official), $limit (int, e.g. 100).
// Example: {"official_id": null, "limit": 100}
MATCH (o:Official)
WHERE $official_id IS NULL OR o.id = $official_id
CALL (o) {
  RETURN o AS holder, 'the official' AS who
  UNION
  MATCH (o)-[kin:RELATED_TO]->(holder:Person)
  RETURN holder, CASE kin.relation WHEN 'self' THEN 'the official'
                 ELSE 'their ' + replace(replace(coalesce(kin.relation, 'relative'), '_in_law', '-in-law'), '_', ' ') + ' ' +
                      coalesce(holder.name, holder.id) + ' (' + holder.id + ')' END AS who
}
CALL (o, holder, who) {
  MATCH (holder)-[role:SHAREHOLDER_OF|LEGAL_REP_OF|DIRECTOR_OF]->(f:Firm)
  WITH f, who, role, CASE WHEN role.share <= 1 THEN 100 * role.share ELSE role.share END AS pct
  RETURN f, who + CASE type(role)
    WHEN 'SHAREHOLDER_OF' THEN
      CASE WHEN role.share IS NULL THEN ' is its shareholder'
           ELSE ' holds ' + CASE WHEN pct < 1 THEN toString(round(pct, 2)) ELSE toString(toInteger(round(pct))) END
                + ' % of its shares' END
    WHEN 'LEGAL_REP_OF' THEN ' is its legal representative'
    ELSE ' is its director' END AS tie
  UNION
  MATCH (holder)-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(v)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(f:Firm)
  WITH f, who, v, COUNT { (v)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(:Firm) } AS firms
  RETURN f, who + ' shares ' + toLower(labels(v)[0]) + ' ' + v.value + ' with it' +
         CASE WHEN firms > 1 THEN ' (' + toString(firms) + ' firms use it)' ELSE '' END AS tie
  UNION
  MATCH (holder)-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(v)<-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]-(q:Person)
        -[role:SHAREHOLDER_OF|LEGAL_REP_OF|DIRECTOR_OF]->(f:Firm)
  // not the person the holder is: a relative holding the role, or the official holding it as itself
  WHERE q <> holder AND NOT (holder = o AND EXISTS { (o)-[:RELATED_TO {relation: 'self'}]->(q) })
  RETURN f, who + ' shares ' + toLower(labels(v)[0]) + ' ' + v.value + ' with its ' +
         CASE type(role) WHEN 'SHAREHOLDER_OF' THEN 'shareholder' WHEN 'LEGAL_REP_OF' THEN 'legal representative'
              ELSE 'director' END + ' ' + coalesce(q.name, q.id) + ' (' + q.id + ')' AS tie
}
WITH o, f, collect(DISTINCT tie) AS ties
CALL (o, f) {
  OPTIONAL MATCH (o)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f)
  RETURN count(i) AS inspections, count(CASE WHEN toLower(trim(i.result)) IN ['pass', 'passed', '合格', '通过'] THEN 1 END) AS passed  // PASSED_RESULTS
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
