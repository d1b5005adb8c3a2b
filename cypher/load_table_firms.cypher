// Upsert firms named in a plain bid table (loaders.bids_table): only id, name and source.
// $rows: [{firm_id, name}]; $source: the load's label, e.g. "ohio".
// Returns nothing. MERGE on Firm.id; other properties are left alone.
// replan=skip: the plan (seeks on unique keys) cannot improve as counts grow during a load, and
// replanning each time they do cost about a third of the server's CPU in a demo-market load.
CYPHER replan=skip
UNWIND $rows AS row
MERGE (f:Firm {id: row.firm_id})
SET f.name = row.name, f.source = $source
