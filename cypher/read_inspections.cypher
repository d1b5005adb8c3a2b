// Market projection, one page of inspections (keyset paging on Inspection.id), with the official who
// CONDUCTED it and the firm it was OF.
// Returns one row: rows = [[inspection_id, official_id, firm_id, date, kind, result, penalty], …]
// (date as an ISO string) and next_after.
// Parameters: $after ('' for the first page), $limit (inspections per page).
MATCH (i:Inspection) WHERE i.id > $after
WITH i ORDER BY i.id LIMIT $limit
WITH collect(i) AS page
CALL (page) {
  UNWIND page AS i
  RETURN collect([i.id, head([(o:Official)-[:CONDUCTED]->(i) | o.id]), head([(i)-[:OF]->(f:Firm) | f.id]),
                  toString(i.date), i.kind, i.result, i.penalty]) AS rows
}
RETURN rows, page[-1].id AS next_after
