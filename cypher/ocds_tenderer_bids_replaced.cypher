// OCDS loader: delete the tenderer bids (<tender id>/tenderer/<firm>, from tender.tenderers) of tenders whose
// bids the bids extension gives in this chunk, before those are written: no firm bids twice in one tender.
// $rows: [{tender_id}]; $source: load name. Returns nothing.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})<-[:FOR]-(old:Bid)
WHERE old.id STARTS WITH t.id + '/tenderer/'
DETACH DELETE old
