// Declared family ties: (:Official)-[:RELATED_TO {relation}]->(:Person).
// $rows: [{official_id, person_id, relation}] (official and person must exist); $source: label.
// Returns nothing. MERGE on the pair; SET relation.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (p:Person {id: row.person_id})
MERGE (o)-[r:RELATED_TO]->(p)
SET r.relation = row.relation, r.source = $source
