// Upsert firms named in a plain bid table (loaders.bids_table): only id, name and source.
// $rows: [{firm_id, name}]; $source: the load's label, e.g. "ohio".
// Returns nothing. MERGE on Firm.id; other properties are left alone.
UNWIND $rows AS row
MERGE (f:Firm {id: row.firm_id})
SET f.name = row.name, f.source = $source
