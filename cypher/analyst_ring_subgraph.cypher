// The members of one suspected ring and the ring's own tenders, as paths (shown as a graph in the console): each
// member, and each member's bid in every tender where two or more members placed bids (read from MEMBER_OF and the
// bids, so an earlier ring the latest run no longer finds shows too, and a ring past the 500 tenders the store keeps
// shows them all), with the tender's award when a member won it. A tender a member bid in or won without another
// member is not the ring's. An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED)
// is no bid.
// Parameters: $ring_id (string, e.g. "ring-ee2c4f344bcfb04d": the Rings page gives each ring's id).
MATCH (r:Ring {id: $ring_id})
CALL (r) {
  MATCH member = (:Firm)-[:MEMBER_OF]->(r)
  RETURN member, null AS bid, null AS won
  UNION
  MATCH (f:Firm)-[:MEMBER_OF]->(r)
  MATCH (f)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender)
  WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  WITH r, t, collect(DISTINCT f) AS members
  WHERE size(members) >= 2
  UNWIND members AS f
  MATCH bid = (f)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
  WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  OPTIONAL MATCH won = (t)-[:AWARDED_TO]->(f)
  RETURN null AS member, bid, won
}
RETURN member, bid, won
LIMIT 500
