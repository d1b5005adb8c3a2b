// One finding (ring or alert) by id: score, triage state, explanation, evidence JSON, its subjects and how many
// tenders it concerns (a ring's, where linked bidders met, a risky tender).
// Parameters: $finding_id (string).
MATCH (f:Ring|Alert {id: $finding_id})
RETURN f.id AS finding_id, CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind, f.detector AS detector,
       f.score AS score, coalesce(f.status, 'open') AS status, f.assignee AS assignee,
       f.explanation AS explanation, f.evidence AS evidence, coalesce(f.active, true) AS active,
       toString(f.first_seen_at) AS first_seen_at, toString(f.last_seen_at) AS last_seen_at,
       [(m:Firm)-[:MEMBER_OF]->(f) | {label: 'Firm', id: m.id, name: coalesce(m.name, m.id)}] +
       [(f)-[:CONCERNS]->(s) WHERE NOT s:Tender OR s.id IN coalesce(f.subject_ids, []) | {label: labels(s)[0], id: s.id, name: coalesce(s.name, s.title, s.id)}]
         AS subjects,
       COUNT { (f)-[:CONCERNS]->(:Tender) } AS tenders
