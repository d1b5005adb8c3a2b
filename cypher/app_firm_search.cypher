// Firms by name (full-text index entity_search: every word typed, as a prefix, in any case) or by exact id or
// registration number, also typed in upper or in lower case (f315883: F315883): any firm in the graph, whether
// a finding names it or not, for the Firms page's search box. Best match first; findings counts the active
// findings that name the firm (rings it is a member of, alerts whose subjects include it).
// Parameters: $text (Lucene query for the full-text index, graph.app_queries.fulltext_query), $key (the id or
//   registration number as typed), $limit (int).
// Example: {"text": "alpha*", "key": "alpha", "limit": 25}
CALL () {
  MATCH (f:Firm) WHERE f.id IN [$key, toUpper($key), toLower($key)] RETURN f, 1000.0 AS score
  UNION
  MATCH (f:Firm) WHERE f.reg_no IN [$key, toUpper($key), toLower($key)] RETURN f, 1000.0 AS score
  UNION
  CALL db.index.fulltext.queryNodes('entity_search', $text) YIELD node, score
  WITH node AS f, score WHERE f:Firm
  RETURN f, score
  ORDER BY score DESC
  LIMIT $limit
}
WITH f, max(score) AS score
RETURN f.id AS firm_id, coalesce(f.name, f.id) AS name, f.reg_no AS reg_no,
       COUNT { MATCH (f)-[:MEMBER_OF]->(x:Ring) WHERE coalesce(x.active, true) }
       + COUNT { MATCH (x:Alert)-[:CONCERNS]->(f) WHERE coalesce(x.active, true)
                 AND f.id IN coalesce(x.subject_ids, [f.id]) } AS findings
ORDER BY score DESC, firm_id
LIMIT $limit
