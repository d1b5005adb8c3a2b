// Market projection (part of firm_identifiers), one page of firms (keyset paging on Firm.id):
// the persons behind the firm — legal representatives, shareholders, directors.
// Returns one row: rows = [[firm_id, 'person', person_id, via ('legal_rep'|'shareholder'|'director')], …]
// and next_after.
// Parameters: $after ('' for the first page), $limit (firms per page).
MATCH (f:Firm) WHERE f.id > $after
WITH f ORDER BY f.id LIMIT $limit
WITH collect(f) AS page
CALL (page) {
  UNWIND page AS f
  MATCH (p:Person)-[r:LEGAL_REP_OF|SHAREHOLDER_OF|DIRECTOR_OF]->(f)
  WITH DISTINCT f, p, type(r) AS rel
  RETURN collect([f.id, 'person', p.id,
                  CASE rel WHEN 'LEGAL_REP_OF' THEN 'legal_rep' WHEN 'SHAREHOLDER_OF' THEN 'shareholder'
                           ELSE 'director' END]) AS rows
}
RETURN rows, page[-1].id AS next_after
