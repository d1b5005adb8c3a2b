// Person roles (person_roles.csv, role legal_rep): (:Person)-[:LEGAL_REP_OF]->(:Firm).
// $rows: [{person_id, firm_id, role, share}] (person and firm must exist); $source: label.
// Returns nothing. MERGE on the pair.
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (p)-[r:LEGAL_REP_OF]->(f)
SET r.source = $source
