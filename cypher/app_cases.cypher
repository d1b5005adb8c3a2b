// Cases: every finding of the given kinds with its triage state and how much history it has, highest score first.
// tier: strong/weak for rings and pairs (null for the other kinds); first_seen: when a run first found it; new: first found by the latest succeeded run.
// about: a ring's members, or an alert's subjects (a tender only where it is the subject, as in tender risk), each as
// "Name (id)" (its title for a tender; its id alone when it has neither), as the Overview's top findings say them.
// Parameters: $kinds (list of strings, e.g. ["ring", "pair", "linked_bidders", "tender"]); $include_inactive (bool):
// also the findings the latest run no longer produced (they pile up over the runs: read them only when asked).
CALL () {
  OPTIONAL MATCH (r:DetectorRun {status: 'succeeded'})
  RETURN r.id AS latest ORDER BY r.started_at DESC LIMIT 1
}
MATCH (f:Ring|Alert)
WITH f, latest, CASE WHEN f:Ring THEN 'ring' ELSE f.kind END AS kind
WHERE kind IN $kinds AND ($include_inactive OR coalesce(f.active, true))
RETURN f.id AS finding_id, kind, f.score AS score, f.tier AS tier, coalesce(f.status, 'open') AS status, f.assignee AS assignee,
       coalesce(f.active, true) AS active, toString(f.first_seen_at) AS first_seen,
       coalesce(f.first_seen_run = latest, false) AS new, f.explanation AS explanation,
       [s IN COLLECT { MATCH (m:Firm)-[:MEMBER_OF]->(f) RETURN m AS s ORDER BY m.id
                       UNION ALL
                       MATCH (f)-[:CONCERNS]->(s) WHERE NOT s:Tender OR s.id IN coalesce(f.subject_ids, [])
                       RETURN s ORDER BY s.id }
        | CASE WHEN coalesce(s.name, s.title) IS NULL THEN s.id ELSE coalesce(s.name, s.title) + ' (' + s.id + ')' END]
         AS about,
       COUNT { (:CaseEvent)-[:ON]->(f) } AS events,
       COLLECT { MATCH (e:CaseEvent)-[:ON]->(f) RETURN toString(e.at) ORDER BY e.at DESC LIMIT 1 }[0] AS last_event_at
ORDER BY score DESC, finding_id
