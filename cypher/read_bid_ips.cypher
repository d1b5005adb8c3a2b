// Market projection, one page of IP nodes (keyset paging on IP.value): the bids (:Bid)-[:SENT_FROM]->(IP).
// Returns one row: rows = [[bid_id, value], …] and next_after. readers.py joins them to the bids
// (a bid's ip: the lowest of the IPs it was sent from) and derives the firms' ip identifiers.
// Parameters: $after ('' for the first page), $limit (IP nodes per page).
MATCH (x:IP) WHERE x.value > $after
WITH x ORDER BY x.value LIMIT $limit
WITH collect(x) AS page
CALL (page) {
  UNWIND page AS x
  MATCH (b:Bid)-[:SENT_FROM]->(x)
  RETURN collect([b.id, x.value]) AS rows
}
RETURN rows, page[-1].value AS next_after
