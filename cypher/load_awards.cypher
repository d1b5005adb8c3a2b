// Awards from a plain bid table (loaders.bids_table): (:Tender)-[:AWARDED_TO {amount, date}]->(:Firm).
// $rows: [{tender_id, firm_id, amount, date}] (tender and firm must exist); $source: label.
// Returns nothing. MERGE on the pair; SET amount and date. A tender may have several winners (lots).
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (t)-[r:AWARDED_TO]->(f)
SET r.amount = row.amount, r.date = row.date, r.source = $source
