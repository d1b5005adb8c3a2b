// Every bid in one tender, lowest first: the firm, the amount, whether it was disqualified, the awarded firm,
// the active rings the firm is a member of that concern this tender, and the bid's submission IP and
// document hash (the lowest, when a bid has several).
// Parameters: $tender_id (string).
MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t:Tender {id: $tender_id})
RETURN t.id AS tender_id, toString(t.published_at) AS published_at, t.category AS category, t.region AS region,
       f.id AS firm_id, coalesce(f.name, f.id) AS firm_name, b.id AS bid_id, b.amount AS amount,
       coalesce(b.disqualified, false) AS disqualified,
       COLLECT { MATCH (t)-[:AWARDED_TO]->(w:Firm) RETURN w.id ORDER BY w.id LIMIT 1 }[0] AS winner_firm_id,
       [(f)-[:MEMBER_OF]->(r:Ring)-[:CONCERNS]->(t) WHERE coalesce(r.active, true) | r.id] AS rings,
       COLLECT { MATCH (b)-[:SENT_FROM]->(x:IP) RETURN x.value ORDER BY x.value LIMIT 1 }[0] AS ip,
       COLLECT { MATCH (b)-[:USES_DOCUMENT]->(d:Document) RETURN d.hash ORDER BY d.hash LIMIT 1 }[0] AS document_hash
ORDER BY amount, firm_id, bid_id
