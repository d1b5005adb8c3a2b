// Upsert approvals: (:Firm)-[:APPLIED]->(:Approval)<-[:DECIDED]-(:Official).
// $rows: [{approval_id, official_id, firm_id, applied_at, decided_at, kind, decision, statutory_days}]
//   (official and firm must exist; dates as dates, statutory_days an integer or null); $source: label.
// Returns nothing. MERGE on Approval.id; SET the row's properties; other APPLIED/DECIDED links deleted.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (a:Approval {id: row.approval_id})
SET a.kind = row.kind, a.applied_at = row.applied_at, a.decided_at = row.decided_at,
    a.decision = row.decision, a.statutory_days = row.statutory_days, a.source = $source
WITH a, o, f, row
FOREACH (stale IN [(x)-[r:DECIDED]->(a) WHERE x <> o | r] | DELETE stale)
FOREACH (stale IN [(x)-[r:APPLIED]->(a) WHERE x <> f | r] | DELETE stale)
MERGE (f)-[p:APPLIED]->(a) SET p.source = $source
MERGE (o)-[d:DECIDED]->(a) SET d.source = $source
