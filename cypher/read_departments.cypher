// Market projection, one page of departments (keyset paging on Department.id).
// Returns one row: rows = [[department_id, name], …] and next_after.
// Parameters: $after ('' for the first page), $limit (departments per page).
MATCH (d:Department) WHERE d.id > $after
WITH d ORDER BY d.id LIMIT $limit
WITH collect(d) AS page
CALL (page) {
  UNWIND page AS d
  RETURN collect([d.id, d.name]) AS rows
}
RETURN rows, page[-1].id AS next_after
