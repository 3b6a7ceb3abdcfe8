"""The versioned results database: tables, migrations, ingest and queries, statistics."""
