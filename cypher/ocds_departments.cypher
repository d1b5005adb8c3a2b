// OCDS loader: upsert public bodies (buyers, procuring entities) by id.
// $rows: [{id, name}]; $source: load name. Returns nothing.
UNWIND $rows AS row
MERGE (d:Department {id: row.id})
SET d.name = coalesce(row.name, d.name), d.source = $source
