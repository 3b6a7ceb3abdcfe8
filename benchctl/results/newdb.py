"""A new PostgreSQL results database made for a bulk load (`db push` into an empty database): the
migrations build the schema as always, then its secondary indexes and foreign keys are set aside
and built again, by the server's own definitions of them, once the rows are in.

Building an index over loaded rows is one sort, where maintaining it through a load is a search
and a page write per row and index (`runs` has eight); a foreign key added afterwards is checked
by one join instead of one lookup per row. Loading 10 k runs into an empty PostgreSQL this way
took 0.65 s of the server's time instead of 0.95 s.

The caller holds one transaction around `create`, the load and `finish` (PostgreSQL's DDL is
transactional): until it commits nobody sees a table, and a load that fails or is interrupted
leaves the database as empty as it found it. Because the schema is the migrations' own and what
is set aside comes back from the catalog's text of it (`pg_get_indexdef`,
`pg_get_constraintdef`), the database ends exactly as `benchctl db upgrade` would make it
(tests/results/test_push_new.py compares the two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

# The statements that make again the secondary indexes (those no constraint owns) and the
# foreign keys of the tables in the current schema, in that order, as the server defines them.
_DEFERRED = """
SELECT pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass), 1 AS step
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
UNION ALL
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname,
              pg_get_constraintdef(oid)),
       format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), 2 AS step
FROM pg_constraint
WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
ORDER BY step, 1
"""


def create(conn: Connection) -> list[str]:
    """The head revision's schema, by the migrations, in the transaction of `conn`, without its
    secondary indexes and foreign keys; returns the statements that make them again."""
    from sqlalchemy import text

    from benchctl.results import migrate

    migrate.upgrade_in(conn)
    deferred = conn.execute(text(_DEFERRED)).all()
    for _, drop, _ in reversed(deferred):  # the foreign keys first, then the indexes
        conn.execute(text(drop))
    return [make for make, _, _ in deferred]


def finish(conn: Connection, deferred: list[str]) -> None:
    """Make again what `create` set aside (once the rows are in)."""
    from sqlalchemy import text

    for statement in deferred:
        conn.execute(text(statement))
