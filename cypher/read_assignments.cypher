// Market projection, case-officer assignments, one page of officials (keyset paging on Official.id).
// Returns one row: rows = [[official_id, firm_id, since, until], …] for each
// (Official)-[:RESPONSIBLE_FOR]->(Firm) (since/until null when open),
// and next_after.
// Parameters: $after ('' for the first page), $limit (officials per page).
MATCH (o:Official) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
WITH collect(o) AS page
CALL (page) {
  UNWIND page AS o
  MATCH (o)-[r:RESPONSIBLE_FOR]->(f:Firm)
  RETURN collect([o.id, f.id, r.since, r.until]) AS rows
}
RETURN rows, page[-1].id AS next_after
