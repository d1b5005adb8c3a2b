// OCDS loader: upsert contracts (id = ocid/contract id) under their award when it exists.
// $rows: [{id, award_id, props: {status, amount, currency, signed_at}}]; $source: load name.
UNWIND $rows AS row
MERGE (c:Contract {id: row.id})
SET c += row.props, c.source = $source
WITH c, row
CALL (c, row) {
  MATCH (a:Award {id: row.award_id})
  MERGE (a)-[r:HAS_CONTRACT]->(c) ON CREATE SET r.source = $source
}
