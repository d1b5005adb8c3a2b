// OCDS loader: upsert awards of tenders with their suppliers (all of them), the bids they
// award (relatedBids, only bids that exist) and their lots.
// $rows: [{id, tender_id, suppliers: [firm id], bids: [bid id], lots: [lot id], props: {status,
// amount, currency, date, classification_ids}}]; $source: load name. Returns nothing. A non-empty
// suppliers, bids (relatedBids) or lots (relatedLots) list is the whole truth: the award's other
// AWARD_SUPPLIER, AWARDS_BID or FOR_LOT links are deleted, so a later release that moves an award
// to another bid or lot moves the link.
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
FOREACH (stale IN [(a)-[x:FOR_LOT]->(l:Lot) WHERE size(row.lots) > 0 AND NOT l.id IN row.lots | x] |
  DELETE stale)
FOREACH (stale IN [(a)-[r:AWARDS_BID]->(b:Bid) WHERE size(row.bids) > 0 AND NOT b.id IN row.bids | r] |
  DELETE stale)
FOREACH (lot_id IN row.lots |
  MERGE (l:Lot {id: lot_id}) ON CREATE SET l.source = $source
  MERGE (a)-[x:FOR_LOT]->(l) ON CREATE SET x.source = $source)
WITH a, row
CALL (a, row) {
  UNWIND row.bids AS bid_id
  MATCH (b:Bid {id: bid_id})
  MERGE (a)-[r:AWARDS_BID]->(b) ON CREATE SET r.source = $source
}
