// Every bid in the tenders of one group of firms, a ring's or an alert of linked bidders' (members and outsiders):
// its status (the OCDS status, else valid/disqualified from the flag), its lot (the lowest, when it names several),
// whether an active award names this very bid (OCDS relatedBids), the tender's active awards with their suppliers
// and lots, every firm the tender was awarded to (lots can have several), and the bid's currency as the detectors read
// it (read_bids: an OCDS bid's own; a CSV bid's, else its tender's; null where none is recorded).
// is_member: the firm is one of the ring's members or one of the alert's firms.
// Parameters: $finding_id (string: a Ring's or an Alert's id).
MATCH (ring:Ring|Alert {id: $finding_id})-[:CONCERNS]->(t:Tender)
MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
RETURN t.id AS tender_id, toString(t.published_at) AS published_at, t.category AS category, t.region AS region,
       f.id AS firm_id,
       coalesce(f.name, f.id) AS firm_name, b.amount AS amount, coalesce(b.disqualified, false) AS disqualified,
       CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END AS currency,
       coalesce(b.status, CASE WHEN b.disqualified THEN 'disqualified' ELSE 'valid' END) AS status,
       COLLECT { MATCH (b)-[:FOR_LOT]->(l:Lot) RETURN l.id ORDER BY l.id LIMIT 1 }[0] AS lot,
       EXISTS { (:Award {status: 'active'})-[:AWARDS_BID]->(b) } AS bid_awarded,
       [(t)-[:HAS_AWARD]->(a:Award {status: 'active'})-[:AWARD_SUPPLIER]->(w:Firm) |
        {firm: w.id, lots: [(a)-[:FOR_LOT]->(l:Lot) | l.id]}] AS awards,
       [(t)-[:AWARDED_TO]->(w:Firm) | w.id] AS winner_firm_ids,
       EXISTS { (f)-[:MEMBER_OF]->(ring) } OR EXISTS { (ring)-[:CONCERNS]->(f) } AS is_member
ORDER BY published_at, tender_id, amount, firm_id, b.id
