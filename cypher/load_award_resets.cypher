// Before a plain bid table's first rows of a tender load (loaders.bids_table, with --winner): delete the
// tender's AWARDED_TO links that earlier loads of the same source wrote, so the table's winner column is the
// whole truth about them (a winner corrected in the table leaves no stale one behind). The winners the
// tender's rows in this batch name stay (a reload deletes nothing); a winner named only in a later batch is
// deleted and written again. Awards of other sources stay.
// $rows: [{tender_id, winners: [firm_id, …]}]; $source: label. Returns nothing.
UNWIND $rows AS row
MATCH (:Tender {id: row.tender_id})-[r:AWARDED_TO]->(f:Firm)
WHERE r.source = $source AND NOT f.id IN row.winners
DELETE r
