// Upsert persons (CSV bundle persons.csv) with their phone, e-mail and address nodes.
// $rows: [{person_id, name, phone, email, address}], identifiers normalised or null;
// $source: the load's label. Returns nothing. MERGE on Person.id; SET the row's properties.
// Identifier links this source made earlier that the row no longer has are deleted (updates).
// $keep: the file's optional columns it does not have (a file of some columns only): the values and
// links they would set are left as stored; a column that is there but blank clears its value.
// row.phones (optional): every number of a phone cell that holds several (row.phone is the first).
// row.keep_stored (optional): the row's columns whose bad value the loader skipped; their stored
// links stay as they are, as for $keep.
UNWIND $rows AS row
MERGE (o:Person {id: row.person_id})
SET o.name = CASE WHEN 'name' IN $keep THEN o.name ELSE row.name END, o.source = $source
WITH o, row
FOREACH (stale IN [(o)-[r:HAS_PHONE]->(x) WHERE NOT 'phone' IN ($keep + coalesce(row.keep_stored, [])) AND r.source = $source AND NOT x.value IN coalesce(row.phones, CASE WHEN row.phone IS NULL THEN [] ELSE [row.phone] END) | r] |
  DELETE stale)
FOREACH (value IN coalesce(row.phones, CASE WHEN row.phone IS NULL THEN [] ELSE [row.phone] END) |
  MERGE (x:Phone {value: value}) ON CREATE SET x.source = $source
  MERGE (o)-[r:HAS_PHONE]->(x) SET r.source = $source)
FOREACH (stale IN [(o)-[r:HAS_EMAIL]->(x) WHERE NOT 'email' IN ($keep + coalesce(row.keep_stored, [])) AND r.source = $source AND x.value <> coalesce(row.email, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.email IS NULL THEN [] ELSE [row.email] END |
  MERGE (x:Email {value: value}) ON CREATE SET x.source = $source
  MERGE (o)-[r:HAS_EMAIL]->(x) SET r.source = $source)
FOREACH (stale IN [(o)-[r:HAS_ADDRESS]->(x) WHERE NOT 'address' IN ($keep + coalesce(row.keep_stored, [])) AND r.source = $source AND x.value <> coalesce(row.address, '') | r] |
  DELETE stale)
FOREACH (value IN CASE WHEN row.address IS NULL THEN [] ELSE [row.address] END |
  MERGE (x:Address {value: value}) ON CREATE SET x.source = $source
  MERGE (o)-[r:HAS_ADDRESS]->(x) SET r.source = $source)
