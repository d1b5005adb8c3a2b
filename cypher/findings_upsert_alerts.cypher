// Findings store: create or refresh alerts (every finding that is not a ring), keyed by Finding.key.
// An alert found again keeps status, assignee, first_seen_*; score, evidence and explanation are replaced.
// Each alert CONCERNS its subjects (Firm, Official, Tender, Department) and the tenders its facts come from
// (tender_ids, e.g. where linked bidders met); tenders no longer among them are unlinked.
// Returns nothing.
// Parameters: $rows = [{id, key, detector, tier ("strong", "weak" or null), kind, score, explanation, evidence (JSON string), subject_ids,
// tender_ids, subjects: [{label, id}]}], $run_id, $at (datetime of the run).
UNWIND $rows AS row
MERGE (a:Alert {id: row.id})
  ON CREATE SET a.first_seen_run = $run_id, a.first_seen_at = $at, a.status = 'open'
SET a.key = row.key, a.detector = row.detector, a.tier = row.tier, a.kind = row.kind, a.score = row.score,
    a.explanation = row.explanation, a.evidence = row.evidence, a.subject_ids = row.subject_ids,
    a.tender_ids = row.tender_ids, a.last_seen_run = $run_id, a.last_seen_at = $at, a.active = true
WITH a, row
CALL (a, row) {
  UNWIND row.subjects AS subject
  CALL (subject) {
    MATCH (n:Firm {id: subject.id}) WHERE subject.label = 'Firm' RETURN n
    UNION
    MATCH (n:Official {id: subject.id}) WHERE subject.label = 'Official' RETURN n
    UNION
    MATCH (n:Tender {id: subject.id}) WHERE subject.label = 'Tender' RETURN n
    UNION
    MATCH (n:Department {id: subject.id}) WHERE subject.label = 'Department' RETURN n
  }
  MERGE (a)-[:CONCERNS]->(n)
}
CALL (a, row) {
  MATCH (a)-[c:CONCERNS]->(old:Tender)
  WHERE NOT old.id IN row.tender_ids AND NOT old.id IN row.subject_ids
  DELETE c
}
CALL (a, row) {
  UNWIND row.tender_ids AS tender_id
  MATCH (t:Tender {id: tender_id})
  MERGE (a)-[:CONCERNS]->(t)
}
WITH a
MATCH (run:DetectorRun {id: $run_id})
MERGE (run)-[:FOUND]->(a)
