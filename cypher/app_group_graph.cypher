// The graph of one group of firms, one row per edge: a ring (its MEMBER_OF firms and the tenders it CONCERNS) or an
// alert of linked bidders (the firms and tenders it CONCERNS: where they bid against each other). Members and the
// tenders where they bid (WON when the member was awarded it, BID_IN otherwise), plus the phones, e-mails,
// addresses and persons (owners, legal reps, directors) that two or more distinct members share (a person holding
// two roles in one member is not shared), and the submission IPs and document files that bids of two or more members
// carry (BIDS_SENT_FROM / BIDS_USE_DOCUMENT, one edge per member and value), as the finding's sentence counts them:
// at most $trace_cap values, those most members share first (IPs before documents), so that documents reused in
// hundreds of tenders do not crowd the tenders out of the drawing.
// A member with no such edge comes back once with b_id null.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $finding_id (string: a Ring's or an Alert's id), $tender_cap (int) — at most this many of its tenders,
// $trace_cap (int).
MATCH (ring:Ring|Alert {id: $finding_id})
CALL (ring) {
  MATCH (member:Firm)-[:MEMBER_OF]->(ring)
  RETURN member
  UNION
  MATCH (ring)-[:CONCERNS]->(member:Firm)
  RETURN member
}
WITH ring, collect(member) AS members
CALL (ring, members) {
  UNWIND members AS a
  RETURN a, null AS rel, null AS b
  UNION
  MATCH (ring)-[:CONCERNS]->(t:Tender)
  WITH t ORDER BY t.published_at, t.id LIMIT $tender_cap
  MATCH (a:Firm)-[:SUBMITTED]->(x:Bid)-[:FOR]->(t)
  WHERE a IN members AND NOT coalesce(x.status, '') IN ['invited', 'withdrawn']
  RETURN a, CASE WHEN EXISTS { (t)-[:AWARDED_TO]->(a) } THEN 'WON' ELSE 'BID_IN' END AS rel, t AS b
  UNION
  UNWIND members AS a
  MATCH (a)-[:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(b)
  WITH members, b, count(DISTINCT a) AS holders WHERE holders >= 2
  MATCH (a)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(b) WHERE a IN members
  RETURN a, type(r) AS rel, b
  UNION
  UNWIND members AS m
  MATCH (a:Person)-[:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(m)
  WITH members, a, count(DISTINCT m) AS firms WHERE firms >= 2  // two roles in one firm are not shared
  MATCH (a)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(m) WHERE m IN members
  RETURN a, type(r) AS rel, m AS b
  UNION
  UNWIND members AS a
  MATCH (a)-[:SUBMITTED]->(x:Bid)-[:SENT_FROM|USES_DOCUMENT]->(b)
  WHERE NOT coalesce(x.status, '') IN ['invited', 'withdrawn']
  WITH b, collect(DISTINCT a) AS holders WHERE size(holders) >= 2  // no walk back over the value's other bids
  WITH b, holders ORDER BY size(holders) DESC, CASE WHEN b:IP THEN 0 ELSE 1 END, coalesce(b.value, b.hash)
  LIMIT $trace_cap
  UNWIND holders AS a
  RETURN a, CASE WHEN b:IP THEN 'BIDS_SENT_FROM' ELSE 'BIDS_USE_DOCUMENT' END AS rel, b
}
RETURN elementId(a) AS a_id, labels(a)[0] AS a_label, properties(a) AS a_props, rel,
       elementId(b) AS b_id, labels(b)[0] AS b_label, properties(b) AS b_props
