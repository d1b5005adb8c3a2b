// The first and last dates of recorded activity: tender publication, inspections, approval applications and
// decisions, and bid submissions (every bid, whatever its status, as the detector reads them). The last is the
// data's "as of" day, as the official-profile detector takes it (detectors.official_profile.as_of_date): pending
// approvals are measured up to it.
// Parameters: none.
CALL () { MATCH (t:Tender) RETURN min(t.published_at) AS first, max(t.published_at) AS last
  UNION ALL MATCH (i:Inspection) RETURN min(i.date) AS first, max(i.date) AS last
  UNION ALL MATCH (a:Approval) RETURN min(a.applied_at) AS first, max(a.applied_at) AS last
  UNION ALL MATCH (a:Approval) RETURN null AS first, max(a.decided_at) AS last
  UNION ALL MATCH (b:Bid) WHERE b.submitted_at IS NOT NULL
            RETURN null AS first, max(date(b.submitted_at)) AS last }
RETURN toString(min(first)) AS first, toString(max(last)) AS last
