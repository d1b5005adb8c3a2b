// Upsert departments (CSV bundle departments.csv).
// $rows: [{department_id, name}]; $source: the load's label, e.g. "csv:demo".
// Returns nothing. MERGE on Department.id, properties SET from the row.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MERGE (d:Department {id: row.department_id})
SET d.name = CASE WHEN 'name' IN $keep THEN d.name ELSE row.name END, d.source = $source
