// The other active findings about the same case as one finding: the rings and alerts that name one of its firms,
// officials, tenders or departments (a ring's members and the tenders they met in, an alert's subjects and the
// tenders its facts come from), those sharing the most firms and officials first, then tenders, then by score.
// A ring, the linked bidders among its members, the risky tenders it bid in and a member's red flags are one
// cartel to an investigator, and each is triaged on its own otherwise.
// Returns finding_id, kind, detector, score, tier, status, assignee, firms and officials ({id, name} of the
// shared ones), tenders (how many shared), tender_names ({id, title} of the first 3), departments (ids shared).
// Weak rings and pairs come last.
// Parameters: $finding_id (string, e.g. RING-1), $limit (int, e.g. 50).
MATCH (f:Ring|Alert {id: $finding_id})
CALL (f) {
  MATCH (s:Firm)-[:MEMBER_OF]->(f) RETURN s
  UNION
  MATCH (f)-[:CONCERNS]->(s) RETURN s
}
CALL (s) {
  MATCH (s)-[:MEMBER_OF]->(g:Ring) RETURN g
  UNION
  MATCH (g:Ring|Alert)-[:CONCERNS]->(s) RETURN g
}
WITH f, g, s
WHERE g <> f AND coalesce(g.active, true)
WITH g, s ORDER BY s.id
WITH g, collect(DISTINCT s) AS shared
WITH g, [x IN shared WHERE x:Firm | {id: x.id, name: coalesce(x.name, x.id)}] AS firms,
     [x IN shared WHERE x:Official | {id: x.id, name: coalesce(x.name, x.id)}] AS officials,
     [x IN shared WHERE x:Tender] AS shared_tenders, [x IN shared WHERE x:Department | x.id] AS departments
RETURN g.id AS finding_id, CASE WHEN g:Ring THEN 'ring' ELSE g.kind END AS kind, g.detector AS detector,
       g.score AS score, g.tier AS tier, coalesce(g.status, 'open') AS status, g.assignee AS assignee,
       firms, officials, size(shared_tenders) AS tenders,
       [x IN shared_tenders[..3] | {id: x.id, title: x.title}] AS tender_names, departments
// a weak ring or pair (no stronger than shuffled markets without a cartel) last, as the lists hide them
ORDER BY coalesce(g.tier, '') = 'weak', size(firms) + size(officials) DESC, tenders DESC, score DESC, finding_id
LIMIT $limit
