// Person roles (person_roles.csv, role shareholder): (:Person)-[:SHAREHOLDER_OF {share}]->(:Firm).
// $rows: [{person_id, firm_id, role, share}] (person and firm must exist; share a float or null);
// $source: label. Returns nothing. MERGE on the pair; SET share.
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (p)-[r:SHAREHOLDER_OF]->(f)
SET r.share = row.share, r.source = $source
