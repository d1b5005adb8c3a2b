// Market projection, one page of approvals (keyset paging on Approval.id), with the official who
// DECIDED it and the firm that APPLIED.
// Returns one row: rows = [[approval_id, official_id, firm_id, kind, applied_at, decided_at, decision,
// statutory_days], …] (dates as ISO strings) and next_after.
// Parameters: $after ('' for the first page), $limit (approvals per page).
MATCH (a:Approval) WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
WITH collect(a) AS page
CALL (page) {
  UNWIND page AS a
  RETURN collect([a.id, head([(o:Official)-[:DECIDED]->(a) | o.id]), head([(f:Firm)-[:APPLIED]->(a) | f.id]),
                  a.kind, toString(a.applied_at), toString(a.decided_at), a.decision,
                  a.statutory_days]) AS rows
}
RETURN rows, page[-1].id AS next_after
