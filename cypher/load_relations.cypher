// Declared family ties: (:Official)-[:RELATED_TO {relation}]->(:Person).
// $rows: [{official_id, person_id, relation}] (official and person must exist); $source: label.
// Returns nothing. MERGE on the pair; SET relation.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (p:Person {id: row.person_id})
MERGE (o)-[r:RELATED_TO]->(p)
SET r.relation = CASE WHEN 'relation' IN $keep THEN r.relation ELSE row.relation END, r.source = $source
