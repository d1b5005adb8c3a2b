// Declared family ties: (:Official)-[:RELATED_TO {relation}]->(:Person).
// $rows: [{official_id, person_id, relation}] (official and person must exist); $source: label.
// Returns nothing. MERGE on the pair; SET relation.
// replan=skip: the plan (seeks on unique keys) cannot improve as counts grow during a load, and
// replanning each time they do cost about a third of the server's CPU in a demo-market load.
CYPHER replan=skip
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (p:Person {id: row.person_id})
MERGE (o)-[r:RELATED_TO]->(p)
SET r.relation = row.relation, r.source = $source
