// Market projection, one page of firms (keyset paging on Firm.id).
// Returns one row: rows = [[firm_id, name, reg_no, locality], …] and next_after.
// Parameters: $after ('' for the first page), $limit (firms per page).
MATCH (f:Firm) WHERE f.id > $after
WITH f ORDER BY f.id LIMIT $limit
WITH collect(f) AS page
CALL (page) {
  UNWIND page AS f
  RETURN collect([f.id, f.name, f.reg_no, f.locality]) AS rows
}
RETURN rows, page[-1].id AS next_after
