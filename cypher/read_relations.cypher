// Market projection, declared family ties of officials, one page of officials (keyset paging on Official.id).
// Returns one row: rows = [[official_id, person_id, relation, person_name], …] for each
// (Official)-[:RELATED_TO]->(Person),
// and next_after.
// Parameters: $after ('' for the first page), $limit (officials per page).
MATCH (o:Official) WHERE o.id > $after
WITH o ORDER BY o.id LIMIT $limit
WITH collect(o) AS page
CALL (page) {
  UNWIND page AS o
  MATCH (o)-[r:RELATED_TO]->(p:Person)
  RETURN collect([o.id, p.id, r.relation, p.name]) AS rows
}
RETURN rows, page[-1].id AS next_after
