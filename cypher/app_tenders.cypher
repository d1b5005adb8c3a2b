// Findings about a tender (Alert kind 'tender': tender risk, Cardinal's red flags), highest score first, with the
// tender's record (its budget in its currency, where one is recorded), its winners and the active rings two or more of whose members placed separate bids in it (from
// MEMBER_OF: a ring's own list of tenders is capped). Bids counts the tender's offers: an invited or withdrawn
// OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is none, for the count and for a ring.
// Parameters: $include_inactive (bool) — also tenders the latest detector run no longer flagged.
MATCH (a:Alert {kind: 'tender'})-[:CONCERNS]->(t:Tender)
WHERE ($include_inactive OR coalesce(a.active, true)) AND t.id IN a.subject_ids
RETURN a.id AS alert_id, a.detector AS detector, a.score AS score, coalesce(a.status, 'open') AS status, a.assignee AS assignee,
       t.id AS tender_id, t.title AS title, t.category AS category, t.region AS region,
       toString(t.published_at) AS published_at, t.budget AS budget, t.currency AS currency,
       t.award_criteria AS award_criteria,
       t.award_criteria_details AS award_criteria_details,
       COUNT { MATCH (b:Bid)-[:FOR]->(t) WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn'] } AS bids,
       [(t)-[:AWARDED_TO]->(w:Firm) | coalesce(w.name, w.id)] AS winners,
       COLLECT {
         MATCH (t)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(m:Firm)-[:MEMBER_OF]->(r:Ring)
         WHERE coalesce(r.active, true) AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
         WITH r, count(DISTINCT m) AS members, count(DISTINCT b) AS bids
         WHERE members >= 2 AND bids >= 2
         RETURN r.id ORDER BY r.id
       } AS rings,
       a.explanation AS explanation, a.evidence AS evidence, coalesce(a.active, true) AS active,
       toString(a.last_seen_at) AS last_seen_at
ORDER BY a.score DESC, a.id
