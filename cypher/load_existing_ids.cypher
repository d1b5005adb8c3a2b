// Which of the given ids already exist in the graph (the loaders' referential check).
// $department_ids, $official_ids, $firm_ids, $person_ids, $tender_ids: lists of id strings (may be empty).
// Returns one row {kind, id} per id found; kind in department, official, firm, person, tender.
UNWIND $department_ids AS wanted MATCH (n:Department {id: wanted}) RETURN 'department' AS kind, n.id AS id
UNION ALL
UNWIND $official_ids AS wanted MATCH (n:Official {id: wanted}) RETURN 'official' AS kind, n.id AS id
UNION ALL
UNWIND $firm_ids AS wanted MATCH (n:Firm {id: wanted}) RETURN 'firm' AS kind, n.id AS id
UNION ALL
UNWIND $person_ids AS wanted MATCH (n:Person {id: wanted}) RETURN 'person' AS kind, n.id AS id
UNION ALL
UNWIND $tender_ids AS wanted MATCH (n:Tender {id: wanted}) RETURN 'tender' AS kind, n.id AS id
