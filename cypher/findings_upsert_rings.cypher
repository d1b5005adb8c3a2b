// Findings store: create or refresh rings found by a run. A ring found again keeps id, status, assignee,
// first_seen_*; score, evidence, explanation, members (MEMBER_OF) and tenders (CONCERNS) are replaced.
// Returns nothing.
// Parameters: $rows = [{id, key, detector, tier ("strong", "weak" or null), score, explanation,
// evidence (JSON string), member_ids, tender_ids}], $run_id, $at (datetime of the run).
UNWIND $rows AS row
MERGE (g:Ring {id: row.id})
  ON CREATE SET g.first_seen_run = $run_id, g.first_seen_at = $at, g.status = 'open'
SET g.key = row.key, g.detector = row.detector, g.tier = row.tier, g.kind = 'ring', g.score = row.score,
    g.explanation = row.explanation, g.evidence = row.evidence, g.member_ids = row.member_ids,
    g.tender_ids = row.tender_ids, g.last_seen_run = $run_id, g.last_seen_at = $at, g.active = true
WITH g, row
CALL (g, row) {
  MATCH (old:Firm)-[m:MEMBER_OF]->(g)
  WHERE NOT old.id IN row.member_ids
  DELETE m
}
CALL (g, row) {
  UNWIND row.member_ids AS firm_id
  MATCH (f:Firm {id: firm_id})
  MERGE (f)-[:MEMBER_OF]->(g)
}
CALL (g, row) {
  MATCH (g)-[c:CONCERNS]->(old:Tender)
  WHERE NOT old.id IN row.tender_ids
  DELETE c
}
CALL (g, row) {
  UNWIND row.tender_ids AS tender_id
  MATCH (t:Tender {id: tender_id})
  MERGE (g)-[:CONCERNS]->(t)
}
WITH g
MATCH (run:DetectorRun {id: $run_id})
MERGE (run)-[:FOUND]->(g)
