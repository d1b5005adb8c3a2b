// OCDS loader: upsert tenders (id = ocid), ISSUED by the buyer, MANAGED by the procuring entity.
// $rows: [{id, props: {non-null Tender properties}, buyer_id, procuring_entity_id}];
// $source: load name. Returns nothing.
UNWIND $rows AS row
MERGE (t:Tender {id: row.id})
SET t += row.props, t.source = $source
FOREACH (id IN CASE WHEN row.buyer_id IS NULL THEN [] ELSE [row.buyer_id] END |
  MERGE (d:Department {id: id}) ON CREATE SET d.source = $source
  MERGE (d)-[r:ISSUED]->(t) ON CREATE SET r.source = $source)
FOREACH (id IN CASE WHEN row.procuring_entity_id IS NULL THEN [] ELSE [row.procuring_entity_id] END |
  MERGE (d:Department {id: id}) ON CREATE SET d.source = $source
  MERGE (d)-[r:MANAGED]->(t) ON CREATE SET r.source = $source)
