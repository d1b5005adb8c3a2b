// Market projection, one page of Document nodes (keyset paging on Document.hash): the bids (:Bid)-[:USES_DOCUMENT]->(Document).
// Returns one row: rows = [[bid_id, hash], …] and next_after. readers.py joins them to the bids
// (a bid's document_hash: the lowest of the document files it uses) and derives the firms' document identifiers.
// Parameters: $after ('' for the first page), $limit (Document nodes per page).
MATCH (x:Document) WHERE x.hash > $after
WITH x ORDER BY x.hash LIMIT $limit
WITH collect(x) AS page
CALL (page) {
  UNWIND page AS x
  MATCH (b:Bid)-[:USES_DOCUMENT]->(x)
  RETURN collect([b.id, x.hash]) AS rows
}
RETURN rows, page[-1].hash AS next_after
