// Red-flag projection, one page of contracting processes (keyset paging on Tender.id): the facts
// Cardinal's indicators read.
// Returns one row: rows = [[tender_id, status, procurement_method, procurement_method_details,
// number_of_tenderers, buyer_id, procuring_entity_id, tender_start, tender_end], …] and next_after.
// buyer_id is the ISSUING Department, else the property; instants are ISO text (the day of
// published_at/deadline_at when the OCDS instants are unknown).
// Parameters: $after ('' for the first page), $limit (tenders per page).
MATCH (t:Tender) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
WITH collect(t) AS page
CALL (page) {
  UNWIND page AS t
  RETURN collect([t.id, t.status, t.procedure, t.procurement_method_details, t.number_of_tenderers,
                  coalesce(head([(d:Department)-[:ISSUED]->(t) | d.id]), t.department_id),
                  t.procuring_entity_id,
                  toString(coalesce(t.tender_start, t.published_at)),
                  toString(coalesce(t.tender_end, t.deadline_at))]) AS rows
}
RETURN rows, page[-1].id AS next_after
