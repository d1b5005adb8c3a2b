// Upsert departments (CSV bundle departments.csv).
// $rows: [{department_id, name}]; $source: the load's label, e.g. "csv:demo".
// Returns nothing. MERGE on Department.id, properties SET from the row.
UNWIND $rows AS row
MERGE (d:Department {id: row.department_id})
SET d.name = row.name, d.source = $source
