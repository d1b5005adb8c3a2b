// Market projection (part of person_identifiers), one page of persons (keyset paging on Person.id):
// their phones, e-mails and addresses.
// Returns one row: rows = [['person', person_id, kind ('phone'|'email'|'address'), value], …] and next_after.
// Parameters: $after ('' for the first page), $limit (persons per page).
MATCH (p:Person) WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $limit
WITH collect(p) AS page
CALL (page) {
  UNWIND page AS p
  MATCH (p)-[r:HAS_PHONE|HAS_EMAIL|HAS_ADDRESS]->(x)
  RETURN collect(['person', p.id,
                  CASE type(r) WHEN 'HAS_PHONE' THEN 'phone' WHEN 'HAS_EMAIL' THEN 'email' ELSE 'address' END,
                  x.value]) AS rows
}
RETURN rows, page[-1].id AS next_after
