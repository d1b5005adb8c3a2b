// Upsert tenders (CSV bundle tenders.csv) with ISSUED from their department and AWARDED_TO the winner.
// $rows: [{tender_id, department_id, title, category, region, budget, currency, published_at, deadline_at,
//   procedure, winner_firm_id, award_amount}] (dates as dates, numbers as floats, nulls allowed);
// $source: the load's label. Returns nothing. MERGE on Tender.id; SET the row's properties. The row is
// the whole truth about its tender's department and winner: other ISSUED/AWARDED_TO links are deleted.
UNWIND $rows AS row
MERGE (t:Tender {id: row.tender_id})
SET t.title = row.title, t.department_id = row.department_id, t.category = row.category,
    t.region = row.region, t.budget = row.budget, t.currency = row.currency,
    t.published_at = row.published_at, t.deadline_at = row.deadline_at, t.procedure = row.procedure,
    t.source = $source
WITH t, row
OPTIONAL MATCH (d:Department {id: row.department_id})
OPTIONAL MATCH (w:Firm {id: row.winner_firm_id})
FOREACH (stale IN [(x)-[r:ISSUED]->(t) WHERE d IS NULL OR x <> d | r] | DELETE stale)
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END |
  MERGE (d)-[r:ISSUED]->(t) SET r.source = $source)
FOREACH (stale IN [(t)-[r:AWARDED_TO]->(x) WHERE w IS NULL OR x <> w | r] | DELETE stale)
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END |
  MERGE (t)-[r:AWARDED_TO]->(w) SET r.amount = row.award_amount, r.source = $source)
