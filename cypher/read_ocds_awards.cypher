// Red-flag projection, one page of OCDS awards (keyset paging on Award.id; read_ocds_awarded_to gives
// the CSV loads' awards): each Award of a Tender with all its suppliers, its items'
// classification ids (JSON text), relatedBids and lots.
// Returns one row: rows = [[award_id, tender_id, status, amount, currency, suppliers, classification_ids,
// related_bids, lots], …] and next_after.
// Parameters: $after ('' for the first page), $limit (awards per page).
MATCH (a:Award) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
WITH collect(a) AS page
CALL (page) {
  UNWIND page AS a
  MATCH (t:Tender)-[:HAS_AWARD]->(a)
  RETURN collect([a.id, t.id, a.status, a.amount, a.currency,
                  [(a)-[:AWARD_SUPPLIER]->(f:Firm) | f.id], a.classification_ids,
                  [(a)-[:AWARDS_BID]->(b:Bid) | b.id], [(a)-[:FOR_LOT]->(l:Lot) | l.id]]) AS rows
}
RETURN rows, page[-1].id AS next_after
