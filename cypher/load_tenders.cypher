// Upsert tenders (CSV bundle tenders.csv) with ISSUED from their department and AWARDED_TO the winner.
// $rows: [{tender_id, department_id, title, category, region, budget, currency, published_at, deadline_at,
//   procedure, award_criteria, winner_firm_id, award_amount}] (dates as dates, numbers as floats, nulls allowed);
// $source: the load's label. Returns nothing. MERGE on Tender.id; SET the row's properties. The row is
// the whole truth about its tender's department and winner: other ISSUED/AWARDED_TO links are deleted.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MERGE (t:Tender {id: row.tender_id})
SET t.title = CASE WHEN 'title' IN $keep THEN t.title ELSE row.title END,
    t.department_id = CASE WHEN 'department_id' IN $keep THEN t.department_id ELSE row.department_id END,
    t.category = CASE WHEN 'category' IN $keep THEN t.category ELSE row.category END,
    t.region = CASE WHEN 'region' IN $keep THEN t.region ELSE row.region END,
    t.budget = CASE WHEN 'budget' IN $keep THEN t.budget ELSE row.budget END,
    t.currency = CASE WHEN 'currency' IN $keep THEN t.currency ELSE row.currency END,
    t.published_at = CASE WHEN 'published_at' IN $keep THEN t.published_at ELSE row.published_at END,
    t.deadline_at = CASE WHEN 'deadline_at' IN $keep THEN t.deadline_at ELSE row.deadline_at END,
    t.procedure = CASE WHEN 'procedure' IN $keep THEN t.procedure ELSE row.procedure END,
    t.award_criteria = CASE WHEN 'award_criteria' IN $keep THEN t.award_criteria ELSE row.award_criteria END,
    t.source = $source
WITH t, row
OPTIONAL MATCH (d:Department {id: row.department_id})
OPTIONAL MATCH (w:Firm {id: row.winner_firm_id})
FOREACH (stale IN [(x)-[r:ISSUED]->(t) WHERE NOT 'department_id' IN $keep AND (d IS NULL OR x <> d) | r] | DELETE stale)
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END |
  MERGE (d)-[r:ISSUED]->(t) SET r.source = $source)
FOREACH (stale IN [(t)-[r:AWARDED_TO]->(x) WHERE NOT 'winner_firm_id' IN $keep AND (w IS NULL OR x <> w) | r] | DELETE stale)
FOREACH (_ IN CASE WHEN w IS NULL THEN [] ELSE [1] END |
  MERGE (t)-[r:AWARDED_TO]->(w) SET r.amount = CASE WHEN 'award_amount' IN $keep THEN r.amount ELSE row.award_amount END, r.source = $source)
