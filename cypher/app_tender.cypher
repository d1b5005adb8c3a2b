// One tender's record by id, whether or not a finding names it (the Tenders page opens any tender a ring's table or a
// link names): its title, category, region, publication, budget in its currency, award criteria, its bids (an invited
// or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is none), its winners and the active
// rings two or more of whose members placed separate bids in it, as app_tenders reads them.
// Parameters: $tender_id (string).
MATCH (t:Tender {id: $tender_id})
RETURN t.id AS tender_id, t.title AS title, t.category AS category, t.region AS region,
       toString(t.published_at) AS published_at, t.budget AS budget, t.currency AS currency,
       t.award_criteria AS award_criteria, t.award_criteria_details AS award_criteria_details,
       COUNT { MATCH (b:Bid)-[:FOR]->(t) WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn'] } AS bids,
       [(t)-[:AWARDED_TO]->(w:Firm) | coalesce(w.name, w.id)] AS winners,
       COLLECT {
         MATCH (t)<-[:FOR]-(b:Bid)<-[:SUBMITTED]-(m:Firm)-[:MEMBER_OF]->(r:Ring)
         WHERE coalesce(r.active, true) AND NOT coalesce(b.status, '') IN ['invited', 'withdrawn']
         WITH r, count(DISTINCT m) AS members, count(DISTINCT b) AS bids
         WHERE members >= 2 AND bids >= 2
         RETURN r.id ORDER BY r.id
       } AS rings
