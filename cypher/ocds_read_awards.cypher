// Red-flag projection: one row per award. OCDS Award nodes with all their suppliers, items'
// classification ids (JSON text), relatedBids and lots; for tenders without Award nodes (CSV
// loads) each AWARDED_TO edge stands for one active award.
// Returns award_id, tender_id, status, amount, currency, suppliers, classification_ids,
// related_bids, lots. Parameters: none.
MATCH (t:Tender)-[:HAS_AWARD]->(a:Award)
RETURN a.id AS award_id, t.id AS tender_id, a.status AS status, a.amount AS amount, a.currency AS currency,
       [(a)-[:AWARD_SUPPLIER]->(f:Firm) | f.id] AS suppliers, a.classification_ids AS classification_ids,
       [(a)-[:AWARDS_BID]->(b:Bid) | b.id] AS related_bids, [(a)-[:FOR_LOT]->(l:Lot) | l.id] AS lots
UNION ALL
MATCH (t:Tender)-[w:AWARDED_TO]->(f:Firm)
WHERE NOT EXISTS { (t)-[:HAS_AWARD]->(:Award) }
RETURN t.id + '/awarded/' + f.id AS award_id, t.id AS tender_id, 'active' AS status, w.amount AS amount,
       t.currency AS currency, [f.id] AS suppliers, null AS classification_ids, [] AS related_bids,
       [] AS lots
