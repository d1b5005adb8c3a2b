// OCDS loader: the parties of tender.tenderers as bids of no known amount (<tender id>/tenderer/<firm key>),
// SUBMITTED by the firm and FOR the tender, for a tender that has no bid of the bids extension (those replace
// them: ocds_tenderer_bids_replaced). One row per tender, so whether it has such bids is asked once.
// $rows: [{tender_id, firms: [firm id]}]; $source: load name. Returns nothing.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
WHERE NOT EXISTS { MATCH (t)<-[:FOR]-(x:Bid) WHERE NOT x.id STARTS WITH t.id + '/tenderer/' }
UNWIND row.firms AS firm_id
MERGE (f:Firm {id: firm_id}) ON CREATE SET f.source = $source
MERGE (b:Bid {id: t.id + '/tenderer/' + firm_id}) ON CREATE SET b.source = $source
MERGE (b)-[r:FOR]->(t) ON CREATE SET r.source = $source
MERGE (f)-[s:SUBMITTED]->(b) ON CREATE SET s.source = $source
