"""`benchctl db …`: the results database's schema revision."""

from __future__ import annotations

from typing import Any

import typer

from benchctl.cli._options import DbOpt, JsonOpt
from benchctl.cli._output import emit_json, out

app = typer.Typer(help="Results database maintenance.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Bring the database to this benchctl's schema revision (creating it if needed)."""
    from benchctl.cli._progress import progress_bar
    from benchctl.results import migrate
    from benchctl.results.store import connect, database_errors, display_url

    engine = connect(db, must_exist=False)
    with database_errors(engine), progress_bar("upgrading", json_=json_) as bar:
        before = migrate.current(engine)
        migrate.upgrade(engine, progress=lambda text, total: bar.step(text, total=total))
        after = migrate.current(engine)
    doc = {"database": display_url(engine), "from": before, "to": after}
    if json_:
        emit_json(doc)
    else:
        out.print(f"{doc['database']}: {before or '(new)'} → {after}")


@app.command("current")
def current_cmd(db: DbOpt = None, json_: JsonOpt = False) -> None:
    """Print the database's revision and the one this benchctl expects."""
    from benchctl.results import migrate
    from benchctl.results.store import connect, database_errors, display_url

    engine = connect(db, must_exist=True)
    with database_errors(engine):
        current = migrate.current(engine)
    doc: dict[str, Any] = {
        "database": display_url(engine),
        "current": current,
        "head": migrate.head(),
    }
    doc["up_to_date"] = doc["current"] == doc["head"]
    if json_:
        emit_json(doc)
    else:
        state = "up to date" if doc["up_to_date"] else "run: benchctl db upgrade"
        out.print(
            f"{doc['database']}: {doc['current'] or '(empty)'} (code expects "
            f"{doc['head']}; {state})"
        )
