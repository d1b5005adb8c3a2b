// After a plain bid table has loaded (loaders.bids_table, with --winner): delete the AWARDED_TO links that
// earlier loads of the same source wrote to a tender the table names and to a firm the table does not name
// as its winner, so the winner column is the whole truth (a winner corrected in the table leaves no stale
// one behind). Run once the whole table is written, so an interrupted load deletes nothing the table still
// has; tenders with a rejected row are not passed. Awards of other sources stay.
// $rows: [{tender_id, winners: [firm_id, …]}]; $source: label. Returns nothing.
UNWIND $rows AS row
MATCH (:Tender {id: row.tender_id})-[r:AWARDED_TO]->(f:Firm)
WHERE r.source = $source AND NOT f.id IN row.winners
DELETE r
