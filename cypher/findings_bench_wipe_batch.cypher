// Benchmarks only (benchmarks/detect.py, benchmarks/quality.py): delete up to $limit nodes with their
// relationships, to empty a scratch database between data sets. Run it until it returns 0.
// Returns deleted (how many nodes this batch removed).
// Parameters: $limit (nodes per transaction, e.g. 5000).
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
