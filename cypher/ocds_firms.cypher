// OCDS loader: upsert firms (tenderers, suppliers) with their shared identifiers.
// $rows: [{id, name, reg_no, locality, phones: [str], emails: [str], addresses: [str]}] (values normalised;
// locality: the address's locality field, else the county-level division a Chinese address starts with);
// $source: load name. Returns nothing.
UNWIND $rows AS row
MERGE (f:Firm {id: row.id})
SET f.name = coalesce(row.name, f.name), f.reg_no = coalesce(row.reg_no, f.reg_no),
    f.locality = coalesce(row.locality, f.locality), f.source = $source
FOREACH (value IN row.phones |
  MERGE (p:Phone {value: value}) ON CREATE SET p.source = $source
  MERGE (f)-[r:HAS_PHONE]->(p) ON CREATE SET r.source = $source)
FOREACH (value IN row.emails |
  MERGE (e:Email {value: value}) ON CREATE SET e.source = $source
  MERGE (f)-[r:HAS_EMAIL]->(e) ON CREATE SET r.source = $source)
FOREACH (value IN row.addresses |
  MERGE (a:Address {value: value}) ON CREATE SET a.source = $source
  MERGE (f)-[r:HAS_ADDRESS]->(a) ON CREATE SET r.source = $source)
