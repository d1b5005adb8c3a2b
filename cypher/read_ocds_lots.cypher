// Red-flag projection, one page of lots (keyset paging on Lot.id).
// Returns one row: rows = [[lot_id, tender_id, title, value, currency], …] and next_after.
// Parameters: $after ('' for the first page), $limit (lots per page).
MATCH (l:Lot) WHERE l.id > $after
WITH l ORDER BY l.id LIMIT $limit
WITH collect(l) AS page
CALL (page) {
  UNWIND page AS l
  MATCH (t:Tender)-[:HAS_LOT]->(l)
  RETURN collect([l.id, t.id, l.title, l.value, l.currency]) AS rows
}
RETURN rows, page[-1].id AS next_after
