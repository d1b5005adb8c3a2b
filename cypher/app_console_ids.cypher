// Ids that exist, for the analyst console's parameter boxes where a saved query's header example is not in this
// database ("F1" in a city's graph matched nothing, so a first run returned no rows): the top active ring
// (highest score, as the Rings page lists it first) and its first member; the top active official–firm pair
// (as Closeness lists it first), its official and its firm; the first tender the top ring bid in, the tender of
// the top tender finding and the first tender; the department that issued the first of these three there is,
// and the first department. Each null where the database holds none.
// Also whether each example given exists (a null example: false).
// Parameters: $ring_id, $firm_id, $official_id, $tender_id, $department_id, $finding_id (each the header's
//   example to check, string or null, e.g. "F1").
// Example: {"ring_id": null, "firm_id": "F1", "official_id": "O1", "tender_id": null, "department_id": null, "finding_id": null}
WITH head(COLLECT { MATCH (r:Ring) WHERE coalesce(r.active, true) RETURN r ORDER BY r.score DESC, r.id LIMIT 1 })
       AS ring,
     head(COLLECT { MATCH (a:Alert {kind: 'pair'}) WHERE coalesce(a.active, true)
                    RETURN a ORDER BY a.score DESC, a.id LIMIT 1 }) AS pair
WITH ring, pair,
     head(COLLECT { MATCH (f:Firm)-[:MEMBER_OF]->(ring) RETURN f.id ORDER BY f.id LIMIT 1 }) AS ring_firm,
     head(COLLECT { MATCH (pair)-[:CONCERNS]->(o:Official) RETURN o.id ORDER BY o.id LIMIT 1 }) AS pair_official,
     head(COLLECT { MATCH (pair)-[:CONCERNS]->(f:Firm) WHERE f.id IN coalesce(pair.subject_ids, [f.id])
                    RETURN f.id ORDER BY f.id LIMIT 1 }) AS pair_firm,
     head(COLLECT { MATCH (ring)-[:CONCERNS]->(t:Tender) RETURN t.id ORDER BY t.id LIMIT 1 }) AS ring_tender,
     head(COLLECT { MATCH (a:Alert {kind: 'tender'})-[:CONCERNS]->(t:Tender)
                    WHERE coalesce(a.active, true) AND t.id IN a.subject_ids
                    RETURN t.id ORDER BY a.score DESC, a.id, t.id LIMIT 1 }) AS finding_tender,
     head(COLLECT { MATCH (t:Tender) RETURN t.id ORDER BY t.id LIMIT 1 }) AS first_tender
WITH *, coalesce(ring_tender, finding_tender, first_tender) AS tender
RETURN ring.id AS ring_id, ring_firm, pair.id AS pair_id, pair_official, pair_firm, ring_tender, finding_tender,
       first_tender,
       head(COLLECT { MATCH (d:Department)-[:ISSUED]->(:Tender {id: tender}) RETURN d.id ORDER BY d.id LIMIT 1 })
         AS tender_department,
       head(COLLECT { MATCH (d:Department) RETURN d.id ORDER BY d.id LIMIT 1 }) AS first_department,
       {ring_id: EXISTS { MATCH (:Ring {id: $ring_id}) },
        firm_id: EXISTS { MATCH (:Firm {id: $firm_id}) },
        official_id: EXISTS { MATCH (:Official {id: $official_id}) },
        tender_id: EXISTS { MATCH (:Tender {id: $tender_id}) },
        department_id: EXISTS { MATCH (:Department {id: $department_id}) },
        finding_id: EXISTS { MATCH (:Ring {id: $finding_id}) } OR EXISTS { MATCH (:Alert {id: $finding_id}) }}
         AS examples_exist
