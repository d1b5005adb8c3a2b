// Market projection (part of person_identifiers), one page of officials (keyset paging on Official.id):
// their phones, e-mails and addresses.
// Returns one row: rows = [['official', official_id, kind ('phone'|'email'|'address'), value], …] and next_after.
// Parameters: $after ('' for the first page), $limit (officials per page).
MATCH (o:Official) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
WITH collect(o) AS page
CALL (page) {
  UNWIND page AS o
  MATCH (o)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN collect(['official', o.id,
                  CASE type(r) WHEN 'HAS_PHONE' THEN 'phone' WHEN 'HAS_EMAIL' THEN 'email' ELSE 'address' END,
                  x.value]) AS rows
}
RETURN rows, page[-1].id AS next_after
