// Market projection, one page of bids (keyset paging on Bid.id).
// Returns one row: rows = [[bid_id, tender_id, firm_id, amount, submitted_at, disqualified], …]
// for bids a Firm SUBMITTED FOR a Tender (submitted_at as an ISO string), and next_after.
// is_winner is derived by readers.py from read_awards.
// Parameters: $after ('' for the first page), $limit (bids per page).
MATCH (b:Bid) WHERE b.id > $after
WITH b ORDER BY b.id LIMIT $limit
WITH collect(b) AS page
CALL (page) {
  UNWIND page AS b
  MATCH (f:Firm)-[:SUBMITTED]->(b)-[:FOR]->(t:Tender)
  RETURN collect([b.id, t.id, f.id, b.amount, toString(b.submitted_at), b.disqualified]) AS rows
}
RETURN rows, page[-1].id AS next_after
