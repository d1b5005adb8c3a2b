// Upsert bids: (:Firm)-[:SUBMITTED]->(:Bid)-[:FOR]->(:Tender), plus SENT_FROM an IP and USES_DOCUMENT.
// $rows: [{bid_id, tender_id, firm_id, amount, submitted_at, ip, document_hash, disqualified}]
//   (tender and firm must exist; ip and document_hash normalised or null); $source: the load's label.
// Returns nothing. MERGE on Bid.id; SET the row's properties; a bid moved to another tender or firm
// loses its old link, and identifier links this source made that the row no longer has are deleted.
UNWIND $rows AS row
MATCH (t:Tender {id: row.tender_id})
MATCH (f:Firm {id: row.firm_id})
MERGE (b:Bid {id: row.bid_id})
SET b.amount = row.amount, b.submitted_at = row.submitted_at, b.disqualified = row.disqualified,
    b.source = $source
WITH b, t, f, row
FOREACH (stale IN [(b)-[r:FOR]->(x) WHERE x <> t | r] | DELETE stale)
FOREACH (stale IN [(x)-[r:SUBMITTED]->(b) WHERE x <> f | r] | DELETE stale)
MERGE (f)-[s:SUBMITTED]->(b) SET s.source = $source
MERGE (b)-[r:FOR]->(t) SET r.source = $source
FOREACH (stale IN [(b)-[r:SENT_FROM]->(x) WHERE r.source = $source AND x.value <> coalesce(row.ip, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.ip IS NULL THEN [] ELSE [row.ip] END |
  MERGE (x:IP {value: value}) ON CREATE SET x.source = $source
  MERGE (b)-[r:SENT_FROM]->(x) SET r.source = $source)
FOREACH (stale IN [(b)-[r:USES_DOCUMENT]->(x) WHERE r.source = $source AND x.hash <> coalesce(row.document_hash, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.document_hash IS NULL THEN [] ELSE [row.document_hash] END |
  MERGE (x:Document {hash: value}) ON CREATE SET x.source = $source
  MERGE (b)-[r:USES_DOCUMENT]->(x) SET r.source = $source)
