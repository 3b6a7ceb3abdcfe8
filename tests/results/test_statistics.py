"""A statistic is declared once (`results.stats.Summary`) and every consumer reads the declaration:
the stored columns (through a migration), the flat run dict (JSON, CSV, Parquet) and the run
table. The goldens in `golden/run_*` were written by the code before the declaration (every
consumer listing the statistics by hand), so a user sees the same columns, headers and table.

Regenerate deliberately, and say why in the commit:
    BENCHCTL_WRITE_GOLDEN=1 python -m pytest tests/results/test_statistics.py
"""

from __future__ import annotations

import ast
import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Float, Integer, inspect

from benchctl.results import migrate, schema
from benchctl.results.export import CSV_COLUMNS, run_to_dict, to_csv
from benchctl.results.regress.validity import STORED_DRIFT_COLUMNS
from benchctl.results.schema import RunRow
from benchctl.results.stats import STATISTICS, UNITS, Summary, summarize
from benchctl.results.store import ResultStore, make_engine
from benchctl.results.testing import make_record

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = [1_000_000, 1_200_000, 1_100_000, 5_000_000, 990_000, 1_050_000, 1_010_000, 20_000]
CREATED = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("BENCHCTL_WRITE_GOLDEN"):
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8")  # CR LF kept (the CSV's line ends)


@pytest.fixture
def stored():
    """A fresh store with one ok run and one failure (no samples), as their flat dicts."""
    store = ResultStore.open()
    store.ingest(make_record(samples=SAMPLES, created_at=CREATED))
    store.ingest(
        make_record(
            run_id="2" * 32,
            samples=[],
            status="error",
            error_code="RUNTIME_ERROR",
            error_message="boom",
            artifact=None,
            created_at=CREATED,
        )
    )
    return store, [run_to_dict(r) for r in store.runs()]


def test_the_declaration_is_complete():
    names = [s.name for s in STATISTICS]
    assert names == [f.name for f in Summary.__dataclass_fields__.values()]
    assert len({s.column for s in STATISTICS}) == len({s.key for s in STATISTICS}) == len(names)
    values = summarize(SAMPLES).to_dict()
    for s in STATISTICS:
        assert s.unit in UNITS and s.description, s.name
        assert isinstance(values[s.name], s.type), s.name
        if s.text is not None:  # a template of declared names only, its own among them
            assert s.row is not None and "{" + s.name + "}" in s.text, s.name
            s.text.format_map({n: "x" for n in names})


def test_the_newest_migration_stores_exactly_the_declared_statistics(tmp_path):
    """Change the declaration without a revision and this fails (so does ingest)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    migrate.upgrade(engine)  # the migrations alone, as every new database is built
    reflected = {c["name"]: c["type"] for c in inspect(engine).get_columns("runs")}
    declared = {s.column: s.type for s in STATISTICS}
    missing = sorted(set(declared) - set(reflected))
    assert not missing, f"declared statistics without a column at {migrate.head()}: {missing}"
    for column, kind in declared.items():
        assert isinstance(reflected[column], {int: Integer, float: Float}[kind]), column
    # the runs table's floats are statistics and the stored drift (revision 0005): a statistic
    # dropped from the declaration shows here
    floats = {name for name, t in reflected.items() if isinstance(t, Float)}
    assert floats == {s.column for s in STATISTICS if s.type is float} | set(STORED_DRIFT_COLUMNS)


def test_the_orm_columns_come_from_the_declaration_and_the_typed_names_exist():
    table = RunRow.__table__
    for s in STATISTICS:
        assert table.c[s.column].nullable, s.column
    # RunRow's annotations for the type checker name declared columns with their types
    tree = ast.parse(Path(schema.__file__).read_text(encoding="utf-8"))
    run_row = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == "RunRow")
    block = next(n for n in run_row.body if isinstance(n, ast.If))  # if TYPE_CHECKING:
    typed = {
        a.target.id: ast.unparse(a.annotation)
        for a in block.body
        if isinstance(a, ast.AnnAssign) and isinstance(a.target, ast.Name)
    }
    by_column = {s.column: s for s in STATISTICS}
    assert typed and set(typed) <= set(by_column)
    for name, annotation in typed.items():
        assert annotation == f"Mapped[{by_column[name].type.__name__} | None]", name


def test_stored_values_are_the_declared_statistics_of_the_samples(stored):
    store, docs = stored
    ok, failed = (next(d for d in docs if d["status"] == status) for status in ("ok", "error"))
    summary = summarize(SAMPLES).to_dict()
    row = store.run("1" * 32)
    for s in STATISTICS:
        assert getattr(row, s.column) == summary[s.name], s.name
        assert ok[s.key] == (round(summary[s.name] / 1e6, 9) if s.unit == "ns" else summary[s.name])
        assert failed[s.key] == (0 if s.name == "count" else None), s.name


def test_csv_parquet_and_json_columns_are_unchanged(stored):
    _, docs = stored
    _check_golden("run_export.csv", to_csv(docs))
    declared = tuple(s.key for s in STATISTICS if s.name != "count")  # in order, after warmup
    start = CSV_COLUMNS.index("warmup") + 1
    assert CSV_COLUMNS[start : start + len(declared)] == declared
    text = json.dumps(docs, indent=2, sort_keys=True, default=str) + "\n"
    _check_golden("run_dicts.json", text)


def test_the_run_table_is_unchanged(stored):
    from benchctl.cli.render import run_table

    _, docs = stored
    console = Console(width=120, record=True, color_system=None, file=io.StringIO())
    for d in docs:
        console.print(run_table(d, db_location="results.sqlite"))
    _check_golden("run_table.txt", console.export_text())
