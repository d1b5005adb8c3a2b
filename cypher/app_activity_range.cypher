// The first and last dates of recorded activity: tender publication, inspections and approval applications.
// Parameters: none.
CALL () { MATCH (t:Tender) RETURN min(t.published_at) AS first, max(t.published_at) AS last
  UNION ALL MATCH (i:Inspection) RETURN min(i.date) AS first, max(i.date) AS last
  UNION ALL MATCH (a:Approval) RETURN min(a.applied_at) AS first, max(a.applied_at) AS last }
RETURN toString(min(first)) AS first, toString(max(last)) AS last
