// Firms that an active finding names: ring member, or subject of a pair, linked-bidders or red-flag alert.
// One row per firm: its findings counted by kind ({kind, findings}) and the highest score among them.
// Parameters: none.
CALL () {
  MATCH (f:Firm)-[:MEMBER_OF]->(x:Ring) WHERE coalesce(x.active, true)
  RETURN f, x, 'ring' AS kind
  UNION ALL
  MATCH (x:Alert)-[:CONCERNS]->(f:Firm) WHERE coalesce(x.active, true) AND f.id IN coalesce(x.subject_ids, [f.id])
  RETURN f, x, x.kind AS kind
}
WITH f, kind, count(x) AS findings, max(x.score) AS top
WITH f, collect({kind: kind, findings: findings}) AS kinds, max(top) AS top_score, sum(findings) AS findings
RETURN f.id AS firm_id, coalesce(f.name, f.id) AS name, top_score, findings, kinds
ORDER BY top_score DESC, findings DESC, firm_id
