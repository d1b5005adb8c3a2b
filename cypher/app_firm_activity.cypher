// One firm's bidding by year and category: tenders bid in, bids, tenders won and the amount of its bids there.
// year is null for undated tenders, category null where none is recorded.
// Parameters: $firm_id (string).
MATCH (f:Firm {id: $firm_id})-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender)
WITH f, t, b, EXISTS { (t)-[:AWARDED_TO]->(f) } AS won
RETURN t.published_at.year AS year, t.category AS category, count(DISTINCT t) AS tenders, count(b) AS bids,
       count(DISTINCT CASE WHEN won THEN t END) AS won,
       sum(CASE WHEN won THEN b.amount ELSE 0 END) AS amount_of_winning_bids
ORDER BY year, category
