// OCDS loader: recompute (:Tender)-[:AWARDED_TO {amount, date}]->(:Firm) of the given tenders
// from their ACTIVE awards (every supplier; amount summed over the firm's active awards, date =
// the latest award date); an edge whose award is no longer active is deleted, so a later release
// that cancels an award drops it, and reloading the same data creates nothing.
// $rows: [{id: tender id}]; $source: load name. Returns nothing.
UNWIND $rows AS row
MATCH (t:Tender {id: row.id})
CALL (t) {
  MATCH (t)-[old:AWARDED_TO]->(f:Firm)
  WHERE NOT EXISTS { (t)-[:HAS_AWARD]->(:Award {status: 'active'})-[:AWARD_SUPPLIER]->(f) }
  DELETE old
}
CALL (t) {
  MATCH (t)-[:HAS_AWARD]->(a:Award {status: 'active'})-[:AWARD_SUPPLIER]->(f:Firm)
  WITH f, sum(a.amount) AS amount, max(a.date) AS latest, count(a.amount) AS priced
  MERGE (t)-[w:AWARDED_TO]->(f)
  SET w.amount = CASE WHEN priced = 0 THEN null ELSE amount END,
      w.date = CASE WHEN latest IS NULL THEN null ELSE date(latest) END,
      w.source = $source
}
