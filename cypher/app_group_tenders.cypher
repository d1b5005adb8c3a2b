// The tenders of one group of firms, one row per tender, oldest first: a ring's (the tenders where two or more of
// its members bid, as the detector stored them) or an alert of linked bidders' (where its firms bid against each
// other). For each: its date, category, how many bids it had, which members bid (id and name), and every firm it
// was awarded to (lots can have several) with the amount: the award's, else that firm's lowest bid there, and the
// currency of those amounts: the awards' (OCDS), else the tender's (a CSV bundle's); null where none is recorded.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $finding_id (string, e.g. "RING-1": a Ring's or an Alert's id, as the Rings and Cases pages list them).
MATCH (group:Ring|Alert {id: $finding_id})-[:CONCERNS]->(t:Tender)
RETURN t.id AS tender_id, toString(t.published_at) AS published_at, t.category AS category,
       COUNT { MATCH (t)<-[:FOR]-(b:Bid) WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn'] } AS bids,
       COLLECT { MATCH (t)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(m:Firm)
                 WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
                   AND (EXISTS { (m)-[:MEMBER_OF]->(group) } OR EXISTS { (group)-[:CONCERNS]->(m) })
                 WITH DISTINCT m
                 RETURN {id: m.id, name: m.name} ORDER BY m.id } AS members,
       COLLECT { MATCH (t)-[w:AWARDED_TO]->(x:Firm)
                 RETURN {id: x.id, name: x.name,
                         amount: coalesce(w.amount, COLLECT {
                           MATCH (x)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
                           WHERE b.amount IS NOT NULL AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
                           RETURN b.amount ORDER BY b.amount LIMIT 1 }[0])}
                 ORDER BY x.id } AS winners,
       coalesce(COLLECT { MATCH (t)-[:HAS_AWARD]->(x:Award) WHERE x.amount IS NOT NULL AND x.currency IS NOT NULL
                          RETURN DISTINCT x.currency }[0], t.currency) AS currency
ORDER BY published_at, tender_id
