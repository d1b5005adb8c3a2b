// Market projection (part of firm_identifiers), one page of firms (keyset paging on Firm.id):
// the firm's own phones, e-mails and addresses.
// Returns one row: rows = [[firm_id, kind ('phone'|'email'|'address'), value, via (null)], …] and next_after.
// Parameters: $after ('' for the first page), $limit (firms per page).
MATCH (f:Firm) WHERE f.id > $after
WITH f ORDER BY f.id LIMIT $limit
WITH collect(f) AS page
CALL (page) {
  UNWIND page AS f
  MATCH (f)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN collect([f.id,
                  CASE type(r) WHEN 'HAS_PHONE' THEN 'phone' WHEN 'HAS_EMAIL' THEN 'email' ELSE 'address' END,
                  x.value, null]) AS rows
}
RETURN rows, page[-1].id AS next_after
