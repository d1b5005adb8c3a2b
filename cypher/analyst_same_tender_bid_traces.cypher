// Bids of different firms in one tender sent from the same IP address or carrying the same document
// file: one hand behind "competing" bids. The rarer the value in the whole market, the less chance
// explains it (a carrier's pool address or a buyer's form is carried by many bids; linked_bidders
// tests this, see detectors/bid_traces.py).
// Returns one row per tender and value: kind ('ip' | 'document'), the firms whose bids carried it
// there, and how many bids carry it in the whole market. Rarest values first.
// Parameters: $limit (int, e.g. 100).
// Example: {"limit": 50}
MATCH (t:Tender)<-[:FOR]-(:Bid)-[r:SENT_FROM|USES_DOCUMENT]->(x)
WITH t, x, type(r) AS rel, count(*) AS bids
WHERE bids >= 2
WITH t, x, rel, COLLECT { MATCH (t)<-[:FOR]-(b:Bid)-[:SENT_FROM|USES_DOCUMENT]->(x), (f:Firm)-[:SUBMITTED]->(b)
                          RETURN DISTINCT f.id AS firm ORDER BY firm } AS firms
WHERE size(firms) >= 2
WITH t, x, rel, firms, COUNT { (x)<-[:SENT_FROM|USES_DOCUMENT]-(:Bid) } AS bids_carrying_it
RETURN t.id AS tender_id, CASE rel WHEN 'SENT_FROM' THEN 'ip' ELSE 'document' END AS kind,
       coalesce(x.value, x.hash) AS value, firms, bids_carrying_it
ORDER BY bids_carrying_it, size(firms) DESC, tender_id, value
LIMIT $limit
