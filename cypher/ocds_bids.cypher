// OCDS loader: upsert bids FOR their tender, SUBMITTED by every tenderer (consortia: all
// members), FOR_LOT their related lots.
// $rows: [{id, tender_id, tenderers: [firm id], lots: [lot id], props: {amount, currency,
// status, disqualified, submitted_at}}]; $source: load name. Returns nothing. A non-empty tenderers
// or lots (relatedLots) list is the whole truth: the bid's other SUBMITTED or FOR_LOT links are deleted.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MERGE (b:Bid {id: row.id})
SET b += row.props, b.source = $source
MERGE (b)-[r:FOR]->(t) ON CREATE SET r.source = $source
FOREACH (stale IN [(x:Firm)-[s:SUBMITTED]->(b) WHERE size(row.tenderers) > 0 AND NOT x.id IN row.tenderers | s] |
  DELETE stale)
FOREACH (firm_id IN row.tenderers |
  MERGE (f:Firm {id: firm_id}) ON CREATE SET f.source = $source
  MERGE (f)-[s:SUBMITTED]->(b) ON CREATE SET s.source = $source)
FOREACH (stale IN [(b)-[x:FOR_LOT]->(l:Lot) WHERE size(row.lots) > 0 AND NOT l.id IN row.lots | x] |
  DELETE stale)
FOREACH (lot_id IN row.lots |
  MERGE (l:Lot {id: lot_id}) ON CREATE SET l.source = $source
  MERGE (b)-[x:FOR_LOT]->(l) ON CREATE SET x.source = $source)
