// Market projection, one page of tenders (keyset paging on Tender.id; readers.py loops until next_after is null).
// Returns one row: rows = [[tender_id, department_id, title, category, region, budget, currency,
// published_at, deadline_at, procedure, award_criteria, winner_firm_id, award_amount], …] and next_after (last id of the page).
// department_id is the property, else the issuing Department; the winner is the AWARDED_TO firm
// (the lowest firm id when there are several); dates are returned as ISO strings.
// Parameters: $after (ids greater than this; '' for the first page), $limit (tenders per page).
MATCH (t:Tender) WHERE t.id > $after
WITH t ORDER BY t.id LIMIT $limit
WITH collect(t) AS page
CALL (page) {
  UNWIND page AS t
  OPTIONAL CALL (t) {
    MATCH (t)-[a:AWARDED_TO]->(w:Firm)
    RETURN w.id AS winner_firm_id, a.amount AS award_amount
    ORDER BY w.id
    LIMIT 1
  }
  RETURN collect([t.id,
                  coalesce(t.department_id, head([(d:Department)-[:ISSUED]->(t) | d.id])),
                  t.title, t.category, t.region, t.budget, t.currency,
                  toString(t.published_at), toString(t.deadline_at), t.procedure, t.award_criteria,
                  winner_firm_id, award_amount]) AS rows
}
RETURN rows, page[-1].id AS next_after
