// One firm's bidding by year and category: tenders bid in, bids, tenders won and the amount awarded to it in them
// (AWARDED_TO.amount, once per tender: a second bid or a lost lot does not count; null when no award has an amount,
// and won_without_amount counts the tenders won with none).
// year is null for undated tenders, category null where none is recorded. An invited or withdrawn OCDS bid
// ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $firm_id (string).
MATCH (f:Firm {id: $firm_id})-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender)
WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
WITH f, t, count(b) AS bids
OPTIONAL MATCH (t)-[a:AWARDED_TO]->(f)
WITH t, bids, count(a) AS awards, CASE WHEN count(a.amount) > 0 THEN sum(a.amount) END AS awarded
RETURN t.published_at.year AS year, t.category AS category, count(t) AS tenders, sum(bids) AS bids,
       sum(CASE WHEN awards > 0 THEN 1 ELSE 0 END) AS won,
       CASE WHEN count(awarded) > 0 THEN sum(awarded) END AS amount_awarded,
       sum(CASE WHEN awards > 0 AND awarded IS NULL THEN 1 ELSE 0 END) AS won_without_amount
ORDER BY year, category
