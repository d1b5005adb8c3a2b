// After a plain bid table has loaded (loaders.bids_table): delete the bids that earlier loads of the same
// source wrote for a tender the table names and that the table no longer has (a row removed, so the last
// of a firm's numbered bids there is left over), with their links. Run once the whole table is written, so
// an interrupted load deletes nothing the table still has; tenders with a rejected row are not passed. Bids
// of other sources stay.
// $rows: [{tender_id, bids: [bid_id, …]}] (every bid the table has for the tender); $source: label.
// Returns nothing.
UNWIND $rows AS row
MATCH (b:Bid)-[:FOR]->(:Tender {id: row.tender_id})
WHERE b.source = $source AND NOT b.id IN row.bids
DETACH DELETE b
