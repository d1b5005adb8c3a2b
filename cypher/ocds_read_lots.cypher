// Red-flag projection: one row per lot of a tender.
// Returns lot_id, tender_id, title, value, currency. Parameters: none.
MATCH (t:Tender)-[:HAS_LOT]->(l:Lot)
RETURN l.id AS lot_id, t.id AS tender_id, l.title AS title, l.value AS value, l.currency AS currency
