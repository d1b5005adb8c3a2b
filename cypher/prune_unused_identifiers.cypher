// Pruning a full extract, last step: phone numbers, e-mail addresses, postal addresses, IP addresses and document
// hashes this source created that nothing links to any more (their firm, person, official or bid was pruned,
// or took another value) are deleted: a value nothing holds is no evidence, and search would still list it.
// Parameters: $labels (graph.model.IDENTIFIER_LABELS' labels), $source (the load's label).
// Returns deleted (how many).
MATCH (x)
WHERE x.source = $source AND any(label IN labels(x) WHERE label IN $labels) AND NOT EXISTS { (x)--() }
DELETE x
RETURN count(x) AS deleted
