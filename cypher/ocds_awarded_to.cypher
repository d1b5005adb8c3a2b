// OCDS loader: recompute (:Tender)-[:AWARDED_TO {amount, date}]->(:Firm) of the given tenders
// from their awarded awards: status active, or no status at all (OCDS makes it optional, and publishers of
// awards alone leave it out; loaders.ocds.AWARD_STATUSES). Every supplier; amount summed over the firm's
// awarded awards when they name one currency (null when they name several: 1,000 EUR and 30,000,000 PYG
// are no sum), date = the latest award date. An edge whose award is no longer awarded is deleted, so a
// later release that cancels an award drops it, and reloading the same data creates nothing.
// $rows: [{id: tender id}]; $source: load name. Returns nothing.
UNWIND $rows AS row
MATCH (t:Tender {id: row.id})
CALL (t) {
  MATCH (t)-[old:AWARDED_TO]->(f:Firm)
  WHERE NOT EXISTS {
    MATCH (t)-[:HAS_AWARD]->(a:Award)-[:AWARD_SUPPLIER]->(f) WHERE coalesce(a.status, 'active') = 'active'
  }
  DELETE old
}
CALL (t) {
  MATCH (t)-[:HAS_AWARD]->(a:Award)-[:AWARD_SUPPLIER]->(f:Firm)
  WHERE coalesce(a.status, 'active') = 'active'
  WITH f, sum(a.amount) AS amount, max(a.date) AS latest, count(a.amount) AS priced,
       collect(DISTINCT CASE WHEN a.amount IS NOT NULL THEN a.currency END) AS currencies
  MERGE (t)-[w:AWARDED_TO]->(f)
  SET w.amount = CASE WHEN priced = 0 OR size(currencies) > 1 THEN null ELSE amount END,
      w.date = CASE WHEN latest IS NULL THEN null ELSE date(latest) END,
      w.source = $source
}
