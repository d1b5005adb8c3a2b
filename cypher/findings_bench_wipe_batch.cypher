// Benchmarks only (benchmarks/detect.py, benchmarks/quality.py): delete up to $limit nodes with their
// relationships, to empty a scratch database between data sets (the job lock's node stays). Run it until it
// returns 0.
// Returns deleted (how many nodes this batch removed).
// Parameters: $limit (nodes per transaction, e.g. 5000).
MATCH (n) WHERE NOT n:JobLock  // a job holding the lock holds that node: deleting it would wait for the job
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
