// Market projection (part of firm_identifiers), one page of firms (keyset paging on Firm.id):
// the submission IPs and document hashes of the firm's bids, one row per distinct (firm, kind, value).
// Returns one row: rows = [[firm_id, kind ('ip'|'document'), value (IP value or Document hash), via (null)], …]
// and next_after.
// Parameters: $after ('' for the first page), $limit (firms per page).
MATCH (f:Firm) WHERE f.id > $after
WITH f ORDER BY f.id LIMIT $limit
WITH collect(f) AS page
CALL (page) {
  UNWIND page AS f
  MATCH (f)-[:SUBMITTED]->(:Bid)-[r:SENT_FROM|USES_DOCUMENT]->(x)
  WITH DISTINCT f, type(r) AS rel, coalesce(x.value, x.hash) AS value
  RETURN collect([f.id, CASE rel WHEN 'SENT_FROM' THEN 'ip' ELSE 'document' END, value, null]) AS rows
}
RETURN rows, page[-1].id AS next_after
