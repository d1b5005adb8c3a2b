// Hidden ties between an official and a firm: every shortest path (at most 6 hops) through family ties, firm
// roles (legal rep, shareholder, director) and shared phones, e-mails and addresses; one row per relationship, with
// its properties (rel_props: a relative's relation, a shareholder's share), which the drawn edge says.
// Parameters: $official_id (string), $firm_id (string), $path_cap (int) — at most this many paths.
MATCH (o:Official {id: $official_id}), (f:Firm {id: $firm_id})
MATCH p = allShortestPaths(
  (o)-[:RELATED_TO|LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF|HAS_PHONE|HAS_EMAIL|HAS_ADDRESS*..6]-(f))
WITH p LIMIT $path_cap
UNWIND relationships(p) AS r
WITH DISTINCT r, startNode(r) AS a, endNode(r) AS b
RETURN elementId(a) AS a_id, labels(a)[0] AS a_label, properties(a) AS a_props, type(r) AS rel,
       properties(r) AS rel_props, elementId(b) AS b_id, labels(b)[0] AS b_label, properties(b) AS b_props
