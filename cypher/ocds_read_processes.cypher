// Red-flag projection: one row per tender (OCDS contracting process) with the facts Cardinal's
// indicators read. Returns tender_id, status, procurement_method, procurement_method_details,
// number_of_tenderers, buyer_id (the ISSUING Department), procuring_entity_id, tender_start,
// tender_end (ISO text; the day of published_at/deadline_at when the instants are unknown).
// Parameters: none.
MATCH (t:Tender)
RETURN t.id AS tender_id, t.status AS status, t.procedure AS procurement_method,
       t.procurement_method_details AS procurement_method_details,
       t.number_of_tenderers AS number_of_tenderers,
       coalesce(head([(d:Department)-[:ISSUED]->(t) | d.id]), t.department_id) AS buyer_id,
       t.procuring_entity_id AS procuring_entity_id,
       toString(coalesce(t.tender_start, t.published_at)) AS tender_start,
       toString(coalesce(t.tender_end, t.deadline_at)) AS tender_end
