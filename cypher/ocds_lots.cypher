// OCDS loader: upsert the lots of tenders (id = ocid/lot id).
// $rows: [{id, tender_id, props: {title, value, currency, status}}]; $source: load name.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MERGE (l:Lot {id: row.id})
SET l += row.props, l.source = $source
MERGE (t)-[r:HAS_LOT]->(l) ON CREATE SET r.source = $source
