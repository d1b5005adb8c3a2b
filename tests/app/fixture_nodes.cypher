// Test fixture only: create nodes of any label from rows {label, props}.
UNWIND $rows AS row
CREATE (n:$(row.label))
SET n = row.props
