// Every bid in one tender, lowest first: the firm, the amount, whether it was disqualified, its status (the OCDS
// status, else valid/disqualified from the flag), its lot (the lowest, when
// it names several), whether an active award names this very bid (OCDS relatedBids), the
// tender's active awards with their suppliers and lots, every firm the tender was awarded to
// (lots can have several), the active rings of which the firm is a member and of which two or more members placed
// separate bids here (read from MEMBER_OF, not from the ring's capped tender list; a consortium bid counts once; an
// invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid),
// the bid's submission IP and document hash (the lowest, when a bid has several), and its currency as the detectors read it
// (read_bids: an OCDS bid's own; a CSV bid's, else its tender's; null where none is recorded).
// Parameters: $tender_id (string).
MATCH (t:Tender {id: $tender_id})
WITH t, COLLECT {
  MATCH (t)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(m:Firm)-[:MEMBER_OF]->(r:Ring)
  WHERE coalesce(r.active, true) AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  WITH r, count(DISTINCT m) AS members, count(DISTINCT b) AS bids
  WHERE members >= 2 AND bids >= 2
  RETURN r.id
} AS rings_here
MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
RETURN t.id AS tender_id, toString(t.published_at) AS published_at, t.category AS category, t.region AS region,
       f.id AS firm_id, coalesce(f.name, f.id) AS firm_name, b.id AS bid_id, b.amount AS amount,
       CASE WHEN b.status IS NULL THEN coalesce(b.currency, t.currency) ELSE b.currency END AS currency,
       coalesce(b.disqualified, false) AS disqualified,
       coalesce(b.status, CASE WHEN b.disqualified THEN 'disqualified' ELSE 'valid' END) AS status,
       COLLECT { MATCH (b)-[:FOR_LOT]->(l:Lot) RETURN l.id ORDER BY l.id LIMIT 1 }[0] AS lot,
       EXISTS { (:Award {status: 'active'})-[:AWARDS_BID]->(b) } AS bid_awarded,
       [(t)-[:HAS_AWARD]->(a:Award {status: 'active'})-[:AWARD_SUPPLIER]->(w:Firm) |
        {firm: w.id, lots: [(a)-[:FOR_LOT]->(l:Lot) | l.id]}] AS awards,
       [(t)-[:AWARDED_TO]->(w:Firm) | w.id] AS winner_firm_ids,
       [(f)-[:MEMBER_OF]->(r:Ring) WHERE r.id IN rings_here | r.id] AS rings,
       COLLECT { MATCH (b)-[:SENT_FROM]->(x:IP) RETURN x.value ORDER BY x.value LIMIT 1 }[0] AS ip,
       COLLECT { MATCH (b)-[:USES_DOCUMENT]->(d:Document) RETURN d.hash ORDER BY d.hash LIMIT 1 }[0] AS document_hash
ORDER BY amount, firm_id, bid_id
