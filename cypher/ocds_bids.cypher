// OCDS loader: upsert bids FOR their tender, SUBMITTED by every tenderer (consortia: all
// members), FOR_LOT their related lots.
// $rows: [{id, tender_id, tenderers: [firm id], lots: [lot id], kind, props: {amount, currency,
// status, disqualified, submitted_at}}]; $source: load name. Returns nothing. A non-empty tenderers
// or lots (relatedLots) list is the whole truth: the bid's other SUBMITTED or FOR_LOT links are deleted.
// kind 'tenderer': a party of tender.tenderers, a bid of no known amount (id <tender id>/tenderer/<firm>),
// written only while the tender has no bid of the bids extension; a bid of the extension (kind 'bid')
// deletes its tender's tenderer bids, so that no firm bids twice.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
WITH row, t
WHERE row.kind = 'bid' OR NOT EXISTS { MATCH (t)<-[:FOR]-(x:Bid) WHERE NOT x.id STARTS WITH t.id + '/tenderer/' }
CALL (row, t) {
  WITH row, t WHERE row.kind = 'bid'
  MATCH (t)<-[:FOR]-(old:Bid) WHERE old.id STARTS WITH t.id + '/tenderer/'
  DETACH DELETE old
}
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
