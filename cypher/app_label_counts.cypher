// Nodes per label, for the given labels (answered from the count store, so it stays fast on big graphs).
// Parameters: $labels (list of label names, e.g. ["Firm", "Tender"]).
UNWIND $labels AS label
CALL (label) {
  MATCH (n:$(label))
  RETURN count(n) AS nodes
}
RETURN label, nodes
