"""Everything that touches Neo4j: settings, the data model and schema, writers, readers, the local server."""
