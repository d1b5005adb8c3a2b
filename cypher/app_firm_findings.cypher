// Every active finding about one firm: the rings it is a member of, the alerts that name it (pair, linked
// bidders, red flags), and the findings about tenders it bid in (how: "member", "named" or "bid in <tender>").
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $firm_id (string).
MATCH (f:Firm {id: $firm_id})
CALL (f) {
  MATCH (f)-[:MEMBER_OF]->(x:Ring)
  RETURN x, 'member' AS how
  UNION
  MATCH (x:Alert)-[:CONCERNS]->(f) WHERE f.id IN coalesce(x.subject_ids, [f.id])
  RETURN x, 'named' AS how
  UNION
  MATCH (f)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender)<-[:CONCERNS]-(x:Alert {kind: 'tender'})
  WHERE t.id IN x.subject_ids AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  RETURN x, 'bid in ' + t.id AS how
}
WITH x, how WHERE coalesce(x.active, true)
RETURN x.id AS finding_id, CASE WHEN x:Ring THEN 'ring' ELSE x.kind END AS kind, x.detector AS detector,
       x.score AS score, coalesce(x.status, 'open') AS status, how, x.explanation AS explanation
ORDER BY score DESC, finding_id
