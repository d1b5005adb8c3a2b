// Red-flag projection, one page of bids (keyset paging on Bid.id):
// every bid FOR a Tender with ALL its tenderers (a consortium bid lists every member).
// Returns one row: rows = [[bid_id, tender_id, status, amount, currency, submitted_at, tenderers, lots,
// position], …] and next_after. status: the OCDS status, else 'disqualified'/'valid' from the CSV flag;
// currency: bids without an OCDS status take the tender's; submitted_at as ISO text.
// Parameters: $after ('' for the first page), $limit (bids per page).
MATCH (b:Bid) WHERE b.id > $after
WITH b ORDER BY b.id LIMIT $limit
WITH collect(b) AS page
CALL (page) {
  UNWIND page AS b
  MATCH (b)-[:FOR]->(t:Tender)
  RETURN collect([b.id, t.id,
                  coalesce(b.status, CASE WHEN b.disqualified THEN 'disqualified' ELSE 'valid' END),
                  b.amount,
                  CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END,
                  toString(b.submitted_at),
                  [(f:Firm)-[:SUBMITTED]->(b) | f.id],
                  [(b)-[:FOR_LOT]->(l:Lot) | l.id],
                  b.position]) AS rows
}
RETURN rows, page[-1].id AS next_after
