// Upsert bids: (:Firm)-[:SUBMITTED]->(:Bid)-[:FOR]->(:Tender), plus SENT_FROM an IP and USES_DOCUMENT.
// $rows: [{bid_id, tender_id, firm_id, amount, submitted_at, ip, document_hash, disqualified}]
//   (tender and firm must exist; ip and document_hash normalised or null); $source: the load's label.
// Returns nothing. MERGE on Bid.id; SET the row's properties; a bid moved to another tender or firm
// loses its old link, and identifier links this source made that the row no longer has are deleted.
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
// row.keep_stored (optional): the row's columns whose bad value the loader skipped; their stored
// links stay as they are, as for $keep.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (b:Bid {id: row.bid_id})
SET b.amount = CASE WHEN 'amount' IN $keep THEN b.amount ELSE row.amount END,
    b.submitted_at = CASE WHEN 'submitted_at' IN $keep THEN b.submitted_at ELSE row.submitted_at END,
    b.disqualified = CASE WHEN 'disqualified' IN $keep THEN b.disqualified ELSE row.disqualified END,
    b.source = $source
WITH b, t, f, row
FOREACH (stale IN [(b)-[r:FOR]->(x) WHERE x <> t | r] | DELETE stale)
FOREACH (stale IN [(x)-[r:SUBMITTED]->(b) WHERE x <> f | r] | DELETE stale)
MERGE (f)-[s:SUBMITTED]->(b) SET s.source = $source
MERGE (b)-[for:FOR]->(t) SET for.source = $source
// (the comprehensions below bind their own r: one bound here would make them match only this FOR link)
FOREACH (stale IN [(b)-[r:SENT_FROM]->(x) WHERE NOT 'ip' IN ($keep + coalesce(row.keep_stored, [])) AND r.source = $source AND x.value <> coalesce(row.ip, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.ip IS NULL THEN [] ELSE [row.ip] END |
  MERGE (x:IP {value: value}) ON CREATE SET x.source = $source
  MERGE (b)-[r:SENT_FROM]->(x) SET r.source = $source)
FOREACH (stale IN [(b)-[r:USES_DOCUMENT]->(x) WHERE NOT 'document_hash' IN ($keep + coalesce(row.keep_stored, [])) AND r.source = $source AND x.hash <> coalesce(row.document_hash, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.document_hash IS NULL THEN [] ELSE [row.document_hash] END |
  MERGE (x:Document {hash: value}) ON CREATE SET x.source = $source
  MERGE (b)-[r:USES_DOCUMENT]->(x) SET r.source = $source)
