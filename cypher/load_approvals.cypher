// Upsert approvals: (:Firm)-[:APPLIED]->(:Approval)<-[:DECIDED]-(:Official).
// $rows: [{approval_id, official_id, firm_id, applied_at, decided_at, kind, decision, statutory_days}]
//   (official and firm must exist; dates as dates, statutory_days an integer or null); $source: label.
// Returns nothing. MERGE on Approval.id; SET the row's properties; other APPLIED/DECIDED links deleted.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (a:Approval {id: row.approval_id})
SET a.kind = CASE WHEN 'kind' IN $keep THEN a.kind ELSE row.kind END,
    a.applied_at = CASE WHEN 'applied_at' IN $keep THEN a.applied_at ELSE row.applied_at END,
    a.decided_at = CASE WHEN 'decided_at' IN $keep THEN a.decided_at ELSE row.decided_at END,
    a.decision = CASE WHEN 'decision' IN $keep THEN a.decision ELSE row.decision END,
    a.statutory_days = CASE WHEN 'statutory_days' IN $keep THEN a.statutory_days ELSE row.statutory_days END, a.source = $source
WITH a, o, f, row
FOREACH (stale IN [(x)-[r:DECIDED]->(a) WHERE x <> o | r] | DELETE stale)
FOREACH (stale IN [(x)-[r:APPLIED]->(a) WHERE x <> f | r] | DELETE stale)
MERGE (f)-[p:APPLIED]->(a) SET p.source = $source
MERGE (o)-[d:DECIDED]->(a) SET d.source = $source
