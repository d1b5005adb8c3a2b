// Test fixture only: create relationships from rows {a_label, a_key, type, b_label, b_key, props}; nodes are
// matched by their key (id, value or hash).
UNWIND $rows AS row
MATCH (a:$(row.a_label)) WHERE coalesce(a.id, a.value, a.hash) = row.a_key
MATCH (b:$(row.b_label)) WHERE coalesce(b.id, b.value, b.hash) = row.b_key
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
