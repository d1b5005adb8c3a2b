// Every bid in the tenders of one ring (members and outsiders), with the awarded firm of each tender.
// Parameters: $ring_id (string).
MATCH (ring:Ring {id: $ring_id})-[:CONCERNS]->(t:Tender)
MATCH (f:Firm)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
OPTIONAL MATCH (t)-[:AWARDED_TO]->(w:Firm)
RETURN t.id AS tender_id, toString(t.published_at) AS published_at, t.category AS category, t.region AS region,
       f.id AS firm_id,
       coalesce(f.name, f.id) AS firm_name, b.amount AS amount, coalesce(b.disqualified, false) AS disqualified,
       w.id AS winner_firm_id, EXISTS { (f)-[:MEMBER_OF]->(ring) } AS is_member
ORDER BY published_at, tender_id, amount
