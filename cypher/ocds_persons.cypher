// OCDS loader: beneficial owners (parties[].beneficialOwners) as persons SHAREHOLDER_OF their firm,
// with their normalised phones, e-mails and addresses.
// $rows: [{id, name, firm_id, phones: [str], emails: [str], addresses: [str]}]; $source: load name.
UNWIND $rows AS row
MATCH (f:Firm {id: row.firm_id})
MERGE (p:Person {id: row.id})
SET p.name = coalesce(row.name, p.name), p.source = $source
MERGE (p)-[r:SHAREHOLDER_OF]->(f) ON CREATE SET r.source = $source
FOREACH (value IN row.phones |
  MERGE (x:Phone {value: value}) ON CREATE SET x.source = $source
  MERGE (p)-[h:HAS_PHONE]->(x) ON CREATE SET h.source = $source)
FOREACH (value IN row.emails |
  MERGE (x:Email {value: value}) ON CREATE SET x.source = $source
  MERGE (p)-[h:HAS_EMAIL]->(x) ON CREATE SET h.source = $source)
FOREACH (value IN row.addresses |
  MERGE (x:Address {value: value}) ON CREATE SET x.source = $source
  MERGE (p)-[h:HAS_ADDRESS]->(x) ON CREATE SET h.source = $source)
