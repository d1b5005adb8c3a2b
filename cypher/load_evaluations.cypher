// Link evaluation-committee members to tenders: (:Official)-[:EVALUATED]->(:Tender).
// $rows: [{tender_id, official_id}] (both must exist); $source: the load's label.
// Returns nothing. MERGE on the pair.
// replan=skip: the plan (seeks on unique keys) cannot improve as counts grow during a load, and
// replanning each time they do cost about a third of the server's CPU in a demo-market load.
CYPHER replan=skip
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (t:Tender {id: row.tender_id})
MERGE (o)-[r:EVALUATED]->(t)
SET r.source = $source
