// The members of one suspected ring and the tenders they won, as paths (shown as a graph in the console).
// Parameters: $ring_id (string, e.g. "RING-1" — see the Rings page).
MATCH member = (f:Firm)-[:MEMBER_OF]->(r:Ring {id: $ring_id})
OPTIONAL MATCH won = (t:Tender)-[:AWARDED_TO]->(f)
RETURN member, won
LIMIT 500
