// Firms that share a phone number and bid against each other in the same tender ("independent" bids that are not).
// Returns one row per pair of firms and phone: how many tenders they both bid in, and some of those tenders.
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $min_tenders (int, e.g. 1), $limit (int, e.g. 100).
// Example: {"min_tenders": 2, "limit": 50}
MATCH (a:Firm)-[:HAS_PHONE]->(p:Phone)<-[:HAS_PHONE]-(b:Firm)
WHERE a.id < b.id
MATCH (a)-[:SUBMITTED]->(x:Bid)-[:FOR]->(t:Tender)<-[:FOR]-(y:Bid)<-[:SUBMITTED]-(b)
WHERE NOT coalesce(x.status, '') IN ['invited', 'withdrawn'] AND NOT coalesce(y.status, '') IN ['invited', 'withdrawn']
WITH a, b, p, collect(DISTINCT t.id) AS tenders
WHERE size(tenders) >= $min_tenders
RETURN a.id AS firm_a, a.name AS name_a, b.id AS firm_b, b.name AS name_b, p.value AS phone,
       size(tenders) AS shared_tenders, tenders[..10] AS some_tenders
ORDER BY shared_tenders DESC, firm_a, firm_b
LIMIT $limit
