// The names of the firms, persons and officials among the ids a finding's evidence quotes (a shared owner: P673322),
// so that its facts and its case report name them; an id of none of them (a tender's, a phone number) is left out.
// Parameters: $ids (list of strings).
UNWIND $ids AS id
CALL (id) {
  MATCH (n:Firm {id: id}) RETURN n
  UNION
  MATCH (n:Person {id: id}) RETURN n
  UNION
  MATCH (n:Official {id: id}) RETURN n
}
RETURN n.id AS id, n.name AS name
