// The members of one suspected ring and the tenders they won, as paths (shown as a graph in the console).
// Parameters: $ring_id (string, e.g. "ring-ee2c4f344bcfb04d": the Rings page gives each ring's id).
MATCH member = (f:Firm)-[:MEMBER_OF]->(r:Ring {id: $ring_id})
OPTIONAL MATCH won = (t:Tender)-[:AWARDED_TO]->(f)
RETURN member, won
LIMIT 500
