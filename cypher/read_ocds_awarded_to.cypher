// Red-flag projection, one page of tenders (keyset paging on Tender.id): for tenders without Award
// nodes (CSV loads) each AWARDED_TO edge stands for one active award (see read_ocds_awards).
// Returns one row: rows = [[award_id (tender id + '/awarded/' + firm id), tender_id, 'active', amount,
// currency, [firm id], null, [], []], …] and next_after.
// Parameters: $after ('' for the first page), $limit (tenders per page).
MATCH (t:Tender) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
WITH collect(t) AS page
CALL (page) {
  UNWIND page AS t
  MATCH (t)-[w:AWARDED_TO]->(f:Firm)
  WHERE NOT EXISTS { (t)-[:HAS_AWARD]->(:Award) }
  RETURN collect([t.id + '/awarded/' + f.id, t.id, 'active', w.amount, t.currency, [f.id], null, [], []]) AS rows
}
RETURN rows, page[-1].id AS next_after
