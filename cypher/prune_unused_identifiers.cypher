// Pruning a full extract, last step: phone numbers, e-mail addresses, postal addresses, IP addresses and document
// hashes this source created that nothing links to any more (their firm, person, official or bid was pruned, or
// took another value, in this load or an earlier one) are deleted: a value nobody holds is no evidence, and
// search would still list it. The labels are graph.model.IDENTIFIER_LABELS' (a test keeps them equal).
// Parameters: $source (the load's label). Returns deleted (how many).
MATCH (x:Phone|Email|Address|IP|Document)
WHERE x.source = $source AND NOT EXISTS { (x)--() }
DELETE x
RETURN count(x) AS deleted
