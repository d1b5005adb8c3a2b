// Case-officer assignments: (:Official)-[:RESPONSIBLE_FOR {since, until}]->(:Firm).
// $rows: [{official_id, firm_id, since, until}] (official and firm must exist; since and until dates
//   or null: open); $source: the load's label.
// Returns nothing. MERGE on the pair; SET the period.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (o)-[r:RESPONSIBLE_FOR]->(f)
SET r.since = CASE WHEN 'since' IN $keep THEN r.since ELSE row.since END,
    r.until = CASE WHEN 'until' IN $keep THEN r.until ELSE row.until END, r.source = $source
