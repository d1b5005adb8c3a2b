// Market projection, evaluation committees, one page of tenders (keyset paging on Tender.id).
// Returns one row: rows = [[tender_id, official_id], …] for each (Official)-[:EVALUATED]->(Tender),
// and next_after.
// Parameters: $after ('' for the first page), $limit (tenders per page).
MATCH (t:Tender) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
WITH collect(t) AS page
CALL (page) {
  UNWIND page AS t
  MATCH (o:Official)-[:EVALUATED]->(t)
  RETURN collect([t.id, o.id]) AS rows
}
RETURN rows, page[-1].id AS next_after
