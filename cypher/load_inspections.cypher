// Upsert inspections: (:Official)-[:CONDUCTED]->(:Inspection)-[:OF]->(:Firm).
// $rows: [{inspection_id, official_id, firm_id, date, kind, result, penalty}] (official and firm must
//   exist; date as a date, penalty a float or null); $source: the load's label.
// Returns nothing. MERGE on Inspection.id; SET the row's properties; other CONDUCTED/OF links deleted.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (i:Inspection {id: row.inspection_id})
SET i.date = row.date, i.kind = row.kind, i.result = row.result, i.penalty = row.penalty,
    i.source = $source
WITH i, o, f, row
FOREACH (stale IN [(x)-[r:CONDUCTED]->(i) WHERE x <> o | r] | DELETE stale)
FOREACH (stale IN [(i)-[r:OF]->(x) WHERE x <> f | r] | DELETE stale)
MERGE (o)-[c:CONDUCTED]->(i) SET c.source = $source
MERGE (i)-[r:OF]->(f) SET r.source = $source
