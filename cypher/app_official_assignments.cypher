// The firms an official is the assigned case officer of (RESPONSIBLE_FOR), with the period.
// Parameters: $official_id. Returns firm_id, firm_name, since, until (ISO dates; null where the period is open).
MATCH (:Official {id: $official_id})-[r:RESPONSIBLE_FOR]->(f:Firm)
RETURN f.id AS firm_id, coalesce(f.name, f.id) AS firm_name, toString(r.since) AS since, toString(r.until) AS until
ORDER BY firm_id, since
