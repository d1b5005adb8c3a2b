// OCDS loader: upsert tenders (id = ocid), ISSUED by the buyer, MANAGED by the procuring entity.
// $rows: [{id, props: {Tender properties; null removes one (a compiled release)}, buyer_id,
// procuring_entity_id}]; $source: load name. Returns nothing. A release that names the buyer (the procuring
// entity) names the only one: a link to another department, from an earlier release, is deleted.
UNWIND $rows AS row
MERGE (t:Tender {id: row.id})
SET t += row.props, t.source = $source
FOREACH (stale IN [(x)-[r:ISSUED]->(t) WHERE row.buyer_id IS NOT NULL AND x.id <> row.buyer_id | r] | DELETE stale)
FOREACH (stale IN [(x)-[r:MANAGED]->(t) WHERE row.procuring_entity_id IS NOT NULL AND x.id <> row.procuring_entity_id
                   | r] | DELETE stale)
FOREACH (id IN CASE WHEN row.buyer_id IS NULL THEN [] ELSE [row.buyer_id] END |
  MERGE (d:Department {id: id}) ON CREATE SET d.source = $source
  MERGE (d)-[r:ISSUED]->(t) ON CREATE SET r.source = $source)
FOREACH (id IN CASE WHEN row.procuring_entity_id IS NULL THEN [] ELSE [row.procuring_entity_id] END |
  MERGE (d:Department {id: id}) ON CREATE SET d.source = $source
  MERGE (d)-[r:MANAGED]->(t) ON CREATE SET r.source = $source)
