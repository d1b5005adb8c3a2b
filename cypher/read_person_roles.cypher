// Market projection, person → firm roles, one page of persons (keyset paging on Person.id).
// Returns one row: rows = [[person_id, firm_id, role ('legal_rep'|'shareholder'|'director'), share,
// person_name], …] (share is set for shareholders) and next_after.
// Parameters: $after ('' for the first page), $limit (persons per page).
MATCH (p:Person) WHERE p.id > $after
WITH p ORDER BY p.id LIMIT $limit
WITH collect(p) AS page
CALL (page) {
  UNWIND page AS p
  MATCH (p)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f:Firm)
  RETURN collect([p.id, f.id,
                  CASE type(r) WHEN 'LEGAL_REP_OF' THEN 'legal_rep' WHEN 'SHAREHOLDER_OF' THEN 'shareholder'
                               ELSE 'director' END,
                  r.share, p.name]) AS rows
}
RETURN rows, page[-1].id AS next_after
