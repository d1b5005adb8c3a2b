// Tenders whose lowest valid bid sits at or above a share of the budget (ceiling, reserve or estimate): the
// price-to-budget screen of tender risk. A cartel's price sits near the budget; compare within a category.
// A valid bid: a positive amount, not disqualified, and not an invited or withdrawn OCDS bid
// ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED).
// Parameters: $category (string, or null for every category), $min_share (float, e.g. 0.95), $limit (int).
MATCH (t:Tender)<-[:FOR]-(b:Bid)
WHERE t.budget > 0 AND b.amount > 0 AND NOT coalesce(b.disqualified, false)
  AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  AND ($category IS NULL OR t.category = $category)
WITH t, min(b.amount) AS lowest, count(b) AS valid_bids
WHERE lowest >= $min_share * t.budget
RETURN t.id AS tender_id, t.category AS category, t.region AS region, t.budget AS budget, lowest, valid_bids,
       round(100.0 * lowest / t.budget, 1) AS lowest_pct_of_budget,
       COLLECT { MATCH (t)-[:AWARDED_TO]->(w:Firm) RETURN w.id ORDER BY w.id } AS winners
ORDER BY lowest_pct_of_budget DESC, tender_id
LIMIT $limit
