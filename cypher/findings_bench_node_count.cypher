// Benchmarks only: how many nodes the database holds (they refuse to empty a non-empty one unless told), the job
// lock's node aside (the wipes leave it: deleting it during a job would wait for the job).
// Returns nodes. Parameters: none.
MATCH (n) WHERE NOT n:JobLock
RETURN count(n) AS nodes
