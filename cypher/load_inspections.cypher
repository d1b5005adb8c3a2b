// Upsert inspections: (:Official)-[:CONDUCTED]->(:Inspection)-[:OF]->(:Firm).
// $rows: [{inspection_id, official_id, firm_id, date, kind, result, penalty}] (official and firm must
//   exist; date as a date, penalty a float or null); $source: the load's label.
// Returns nothing. MERGE on Inspection.id; SET the row's properties; other CONDUCTED/OF links deleted.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (i:Inspection {id: row.inspection_id})
SET i.date = CASE WHEN 'date' IN $keep THEN i.date ELSE row.date END,
    i.kind = CASE WHEN 'kind' IN $keep THEN i.kind ELSE row.kind END,
    i.result = CASE WHEN 'result' IN $keep THEN i.result ELSE row.result END,
    i.penalty = CASE WHEN 'penalty' IN $keep THEN i.penalty ELSE row.penalty END,
    i.source = $source
WITH i, o, f, row
FOREACH (stale IN [(x)-[r:CONDUCTED]->(i) WHERE x <> o | r] | DELETE stale)
FOREACH (stale IN [(i)-[r:OF]->(x) WHERE x <> f | r] | DELETE stale)
MERGE (o)-[c:CONDUCTED]->(i) SET c.source = $source
MERGE (i)-[r:OF]->(f) SET r.source = $source
