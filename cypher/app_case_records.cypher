// The ids of the records behind one finding, for its case file and report, oldest first, each list cut at $cap
// with its whole count beside it: the tenders it concerns that are not its subjects (a ring's: where two or more
// members bid; a linked-bidders group's: where its firms bid against each other), and for an official–firm pair
// (kind 'pair') the inspections the official conducted of the firm, the approvals of the firm the official decided,
// and the tenders the official evaluated and the firm bid in (an evaluation has no id of its own: its tender's).
// An invited or withdrawn OCDS bid ['invited', 'withdrawn'] (detectors.market.NOT_TENDERED) is no bid.
// Parameters: $finding_id (string, e.g. "RING-1": a Ring's or an Alert's id), $cap (int, e.g. 500).
MATCH (finding:Ring|Alert {id: $finding_id})
WITH finding, COLLECT { MATCH (finding)-[:CONCERNS]->(t:Tender) WHERE NOT t.id IN coalesce(finding.subject_ids, [])
                        RETURN t.id ORDER BY t.published_at, t.id } AS tenders
OPTIONAL MATCH (finding)-[:CONCERNS]->(o:Official) WHERE finding.kind = 'pair'
OPTIONAL MATCH (finding)-[:CONCERNS]->(x:Firm) WHERE o IS NOT NULL
WITH tenders,
     COLLECT { MATCH (o)-[:CONDUCTED]->(i:Inspection)-[:OF]->(x) RETURN i.id ORDER BY i.date, i.id } AS inspections,
     COLLECT { MATCH (x)-[:APPLIED]->(a:Approval)<-[:DECIDED]-(o)
               RETURN a.id ORDER BY a.applied_at, a.id } AS approvals,
     COLLECT { MATCH (o)-[:EVALUATED]->(t:Tender)
               WHERE EXISTS { MATCH (x)-[:SUBMITTED]->(b:Bid)-[:FOR]->(t)
                              WHERE NOT coalesce(b.status, '') IN ['invited', 'withdrawn'] }
               RETURN t.id ORDER BY t.published_at, t.id } AS evaluations
RETURN tenders[..$cap] AS tenders, size(tenders) AS tenders_total,
       inspections[..$cap] AS inspections, size(inspections) AS inspections_total,
       approvals[..$cap] AS approvals, size(approvals) AS approvals_total,
       evaluations[..$cap] AS evaluations, size(evaluations) AS evaluations_total
