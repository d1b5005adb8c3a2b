// The tenders an official sat on the committee of and a firm bid in (what a closeness committee lead counts):
// when the committee sat (deadline, else publication), the tender's bids, the firm's offer and its currency (as
// read_bids reads a bid's; null where none is recorded or its bids name several), who won.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $official_id (string), $firm_id (string).
MATCH (o:Official {id: $official_id})-[:EVALUATED]->(t:Tender)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(f:Firm {id: $firm_id})
WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
WITH t, f, min(b.amount) AS amount,
     collect(DISTINCT CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END) AS currencies
RETURN t.id AS tender_id, toString(coalesce(t.deadline_at, t.published_at)) AS sat_on, t.title AS title,
       t.category AS category, t.region AS region, COUNT { MATCH (t)<-[:FOR]-(x:Bid) WHERE NOT coalesce(x.status, '') IN ['invited', 'withdrawn'] } AS bids, amount,
       CASE WHEN size(currencies) = 1 THEN currencies[0] END AS currency,
       COLLECT { MATCH (t)-[:AWARDED_TO]->(w:Firm)
                 RETURN CASE WHEN trim(coalesce(w.name, '')) = '' THEN w.id ELSE w.name + ' (' + w.id + ')' END
                 ORDER BY w.id } AS winners,
       EXISTS { (t)-[:AWARDED_TO]->(f) } AS firm_won
ORDER BY sat_on, tender_id
