// Link evaluation-committee members to tenders: (:Official)-[:EVALUATED]->(:Tender).
// $rows: [{tender_id, official_id}] (both must exist); $source: the load's label.
// Returns nothing. MERGE on the pair.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (t:Tender {id: row.tender_id})
MERGE (o)-[r:EVALUATED]->(t)
SET r.source = $source
