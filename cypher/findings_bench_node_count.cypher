// Benchmarks only: how many nodes the database holds (they refuse to empty a non-empty one unless told).
// Returns nodes. Parameters: none.
MATCH (n)
RETURN count(n) AS nodes
