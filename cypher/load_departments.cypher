// Upsert departments (CSV bundle departments.csv).
// $rows: [{department_id, name}]; $source: the load's label, e.g. "csv:demo".
// Returns nothing. MERGE on Department.id, properties SET from the row.
// replan=skip: the plan (seeks on unique keys) cannot improve as counts grow during a load, and
// replanning each time they do cost about a third of the server's CPU in a demo-market load.
CYPHER replan=skip
UNWIND $rows AS row
MERGE (d:Department {id: row.department_id})
SET d.name = row.name, d.source = $source
