// Upsert tenders named in a plain bid table (loaders.bids_table): id, category, region, budget, date, award
// criteria and source.
// $rows: [{tender_id, category, region, budget, published_at, award_criteria}] (published_at a date or null); $source: label.
// Returns nothing. MERGE on Tender.id; other properties and the awards are left alone.
UNWIND $rows AS row
MERGE (t:Tender {id: row.tender_id})
SET t.category = row.category, t.region = row.region, t.budget = row.budget, t.published_at = row.published_at,
    t.award_criteria = row.award_criteria,
    t.source = $source
