// Bid projection, one page of bids (keyset paging on Bid.id), shared by the market and the red flags.
// Returns one row: rows = [[bid_id, tender_id, tenderers, amount, submitted_at, disqualified, status,
// currency, lots, position], …] for every bid FOR a Tender, and next_after.
// tenderers: every firm that SUBMITTED it, in id order (a consortium bid lists every member; the market
// frame has one row per firm, bids of no firm are left out of it); lots: in id order; submitted_at as
// an ISO string; status: the OCDS status, else 'disqualified'/'valid' from the CSV flag; currency: bids
// without an OCDS status take the tender's. is_winner is derived by readers.py from read_awards.
// Parameters: $after ('' for the first page), $limit (bids per page).
MATCH (b:Bid) WHERE b.id > $after
WITH b ORDER BY b.id LIMIT $limit
WITH collect(b) AS page
CALL (page) {
  UNWIND page AS b
  MATCH (b)-[:FOR]->(t:Tender)
  RETURN collect([b.id, t.id,
                  COLLECT { MATCH (f:Firm)-[:SUBMITTED]->(b) RETURN f.id ORDER BY f.id },
                  b.amount,
                  toString(b.submitted_at),
                  b.disqualified,
                  coalesce(b.status, CASE WHEN b.disqualified THEN 'disqualified' ELSE 'valid' END),
                  CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END,
                  COLLECT { MATCH (b)-[:FOR_LOT]->(l:Lot) RETURN l.id ORDER BY l.id },
                  b.position]) AS rows
}
RETURN rows, page[-1].id AS next_after
