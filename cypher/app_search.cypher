// Find officials, firms, persons, tenders, departments, phones, e-mails, addresses, IPs and documents by name,
// title or address text (full-text index entity_search) or by exact key (id, value or hash); by exact id also the
// records behind findings (bids, inspections, approvals, lots, awards, contracts) and the findings themselves
// (rings, alerts), as sentences and evidence quote them. An id is also tried in upper and in lower case (f315883:
// F315883; RING-50DE…: ring-50de…).
// Parameters: $text (Lucene query for the full-text index), $key (exact key as typed), $digits (key with
//   non-digits removed, for phones), $national (a number typed in national form, its trunk zeros off, to
//   find it stored with a country code of 1-3 digits, not a national form starting with 0; '' when fewer than
//   7 digits), $limit (int).
CALL () {
  CALL db.index.fulltext.queryNodes('entity_search', $text) YIELD node, score
  RETURN node, score
  ORDER BY score DESC
  LIMIT $limit
  UNION
  MATCH (node:Official) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Firm) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Firm) WHERE node.reg_no IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Person) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Tender) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Department) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Bid) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Inspection) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Approval) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Lot) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Award) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Contract) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Ring) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Alert) WHERE node.id IN [$key, toUpper($key), toLower($key)] RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Phone) WHERE node.value IN [$key, $digits] RETURN node, 1000.0 AS score
  UNION
  UNWIND CASE WHEN $national = '' THEN [] ELSE [$national] END AS national  // no phone scan without one
  MATCH (node:Phone)
  WHERE node.value ENDS WITH national AND NOT node.value STARTS WITH '0'  // stored with a country code
    AND size(node.value) - size(national) >= 1 AND size(node.value) - size(national) <= 3
  RETURN node, 900.0 AS score
  UNION
  MATCH (node:Email {value: toLower($key)}) RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Address {value: $key}) RETURN node, 1000.0 AS score
  UNION
  MATCH (node:IP {value: $key}) RETURN node, 1000.0 AS score
  UNION
  MATCH (node:Document {hash: $key}) RETURN node, 1000.0 AS score
}
WITH node, max(score) AS score
RETURN elementId(node) AS node_id, labels(node)[0] AS label, properties(node) AS props, score,
       COUNT { (node)--() } AS degree
ORDER BY score DESC, label
LIMIT $limit
