// OCDS loader: upsert awards of tenders with their suppliers (all of them), the bids they
// award (relatedBids, only bids that exist) and their lots.
// $rows: [{id, tender_id, suppliers: [firm id], bids: [bid id], lots: [lot id], props: {status,
// amount, currency, date, classification_ids}}]; $source: load name. Returns nothing. A non-empty
// suppliers list is the whole truth: other AWARD_SUPPLIER links of the award are deleted.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MERGE (a:Award {id: row.id})
SET a += row.props, a.source = $source
MERGE (t)-[h:HAS_AWARD]->(a) ON CREATE SET h.source = $source
FOREACH (stale IN [(a)-[s:AWARD_SUPPLIER]->(x:Firm) WHERE size(row.suppliers) > 0 AND NOT x.id IN row.suppliers | s] |
  DELETE stale)
FOREACH (firm_id IN row.suppliers |
  MERGE (f:Firm {id: firm_id}) ON CREATE SET f.source = $source
  MERGE (a)-[s:AWARD_SUPPLIER]->(f) ON CREATE SET s.source = $source)
FOREACH (lot_id IN row.lots |
  MERGE (l:Lot {id: lot_id}) ON CREATE SET l.source = $source
  MERGE (a)-[x:FOR_LOT]->(l) ON CREATE SET x.source = $source)
WITH a, row
CALL (a, row) {
  UNWIND row.bids AS bid_id
  MATCH (b:Bid {id: bid_id})
  MERGE (a)-[r:AWARDS_BID]->(b) ON CREATE SET r.source = $source
}
