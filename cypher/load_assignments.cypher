// Case-officer assignments: (:Official)-[:RESPONSIBLE_FOR {since, until}]->(:Firm).
// $rows: [{official_id, firm_id, since, until}] (official and firm must exist; since and until dates
//   or null: open); $source: the load's label.
// Returns nothing. MERGE on the pair; SET the period.
UNWIND $rows AS row
MATCH (o:Official {id: row.official_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (o)-[r:RESPONSIBLE_FOR]->(f)
SET r.since = row.since, r.until = row.until, r.source = $source
