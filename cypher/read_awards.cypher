// Market projection, one page of awards (keyset paging on Tender.id): every (Tender)-[:AWARDED_TO]->(Firm).
// Returns one row: rows = [[tender_id, firm_id], …] and next_after.
// Parameters: $after ('' for the first page), $limit (tenders per page).
MATCH (t:Tender) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
WITH collect(t) AS page
CALL (page) {
  UNWIND page AS t
  MATCH (t)-[:AWARDED_TO]->(f:Firm)
  RETURN collect([t.id, f.id]) AS rows
}
RETURN rows, page[-1].id AS next_after
