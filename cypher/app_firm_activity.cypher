// One firm's bidding by year, category and currency: tenders bid in, bids, tenders won and the amount awarded to it
// in them (AWARDED_TO.amount, once per tender: a second bid or a lost lot does not count; null when no award has an
// amount, and won_without_amount counts the tenders won with none), in its currency: the awards' (OCDS), else the
// tender's (a CSV bundle's amounts are in the tender's currency); null where none is recorded. Amounts in two
// currencies are two rows, not one sum.
// year is null for undated tenders, category null where none is recorded. An invited or withdrawn OCDS bid
// ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $firm_id (string).
MATCH (f:Firm {id: $firm_id})-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender)
WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
WITH f, t, count(b) AS bids
OPTIONAL MATCH (t)-[a:AWARDED_TO]->(f)
WITH f, t, bids, count(a) AS awards, CASE WHEN count(a.amount) > 0 THEN sum(a.amount) END AS awarded
WITH t, bids, awards, awarded,
     coalesce(COLLECT { MATCH (t)-[:HAS_AWARD]->(x:Award)-[:AWARD_SUPPLIER]->(f)
                        WHERE x.amount IS NOT NULL AND x.currency IS NOT NULL
                        RETURN DISTINCT x.currency }[0], t.currency) AS currency
RETURN t.published_at.year AS year, t.category AS category, count(t) AS tenders, sum(bids) AS bids,
       sum(CASE WHEN awards > 0 THEN 1 ELSE 0 END) AS won,
       CASE WHEN count(awarded) > 0 THEN sum(awarded) END AS amount_awarded, currency,
       sum(CASE WHEN awards > 0 AND awarded IS NULL THEN 1 ELSE 0 END) AS won_without_amount
ORDER BY year, category, currency
