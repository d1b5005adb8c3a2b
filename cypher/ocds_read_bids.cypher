// Red-flag projection: one row per bid with ALL its tenderers (a consortium bid lists every member).
// Returns bid_id, tender_id, status (OCDS status; for bids without one, disqualified → 'disqualified'
// else 'valid'), amount, currency (bids without an OCDS status take the tender's currency),
// submitted_at (ISO text), tenderers [firm id], lots [lot id], position (index in bids.details).
// Parameters: none.
MATCH (b:Bid)-[:FOR]->(t:Tender)
RETURN b.id AS bid_id, t.id AS tender_id,
       coalesce(b.status, CASE WHEN b.disqualified THEN 'disqualified' ELSE 'valid' END) AS status,
       b.amount AS amount,
       CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END AS currency,
       toString(b.submitted_at) AS submitted_at,
       [(f:Firm)-[:SUBMITTED]->(b) | f.id] AS tenderers,
       [(b)-[:FOR_LOT]->(l:Lot) | l.id] AS lots,
       b.position AS position
