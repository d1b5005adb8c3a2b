// Person roles (person_roles.csv, role shareholder): (:Person)-[:SHAREHOLDER_OF {share}]->(:Firm).
// $rows: [{person_id, firm_id, role, share}] (person and firm must exist; share a float or null);
// $source: label. Returns nothing. MERGE on the pair; SET share.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MATCH (p:Person {id: row.person_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (p)-[r:SHAREHOLDER_OF]->(f)
SET r.share = CASE WHEN 'share' IN $keep THEN r.share ELSE row.share END, r.source = $source
