// Everything one official did with firms, oldest first: one row per inspection, per approval (days taken against
// the statutory days; decided: the decision's date, blank while pending) and per firm that bid in a tender the
// official evaluated (outcome won/lost).
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $official_id (string), $as_of (ISO date: pending approvals are counted up to this day, the data's last date).
MATCH (o:Official {id: $official_id})
CALL (o) {
  MATCH (o)-[:CONDUCTED]->(i:Inspection)-[:OF]->(f:Firm)
  RETURN 'inspection' AS activity, i.id AS activity_id, toString(i.date) AS date, f.id AS firm_id,
         coalesce(f.name, f.id) AS firm_name, i.kind AS kind, i.result AS outcome, null AS days,
         null AS statutory_days, null AS decided
  UNION ALL
  MATCH (f:Firm)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(o)
  RETURN 'approval' AS activity, a.id AS activity_id, toString(a.applied_at) AS date, f.id AS firm_id,
         coalesce(f.name, f.id) AS firm_name, a.kind AS kind, coalesce(a.decision, 'pending') AS outcome,
         duration.inDays(a.applied_at, coalesce(a.decided_at, date($as_of))).days AS days,
         a.statutory_days AS statutory_days, toString(a.decided_at) AS decided
  UNION ALL
  MATCH (o)-[:EVALUATED]->(t:Tender)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(f:Firm)
  WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
  WITH DISTINCT o, t, f
  RETURN 'evaluation' AS activity, t.id AS activity_id, toString(t.published_at) AS date, f.id AS firm_id,
         coalesce(f.name, f.id) AS firm_name, t.category AS kind,
         CASE WHEN EXISTS { (t)-[:AWARDED_TO]->(f) } THEN 'won' ELSE 'lost' END AS outcome, null AS days,
         null AS statutory_days, null AS decided
}
RETURN activity, activity_id, date, firm_id, firm_name, kind, outcome, days, statutory_days, decided
ORDER BY date, activity_id, firm_id
