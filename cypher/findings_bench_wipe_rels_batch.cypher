// Benchmarks only (benchmarks/quality.py, detect.py, null_markets.py): delete up to $limit relationships,
// before findings_bench_wipe_batch deletes the nodes: a hub node (a department issuing 40,000 tenders, a
// detector run that found 2,600 findings) detached in one go outgrew the transaction memory limit.
// Run it until it returns 0. Returns deleted (how many relationships this batch removed).
// Parameters: $limit (relationships per transaction, e.g. 20000).
MATCH ()-[r]->()
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
