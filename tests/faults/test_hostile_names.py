"""Nothing a name carries reaches a terminal, a spreadsheet or a page as code: hostile model and
device names (rich markup, ESC and other control bytes, bidi overrides, spreadsheet formulas,
HTML) go through every output — the rich tables, CSV, Parquet, JSON, the Markdown report
(rendered by markdown-it, as GitHub would) and the HTML report — and each is checked."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.results.export import FORMULA_START
from benchctl.results.regress import nightly
from benchctl.results.report import render
from benchctl.results.store import ResultStore
from benchctl.results.testing import make_record

PIECES = [
    "[bold red]EVIL[/]",
    "[link=https://x.example]x[/link]",
    "\x1b[2J\x1b]0;owned\x07",
    "\x00\x08\r\x7f\x9b",
    "\u202etxt.exe",
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "a|b",
    "`code`",
    "mobileone_s0",
]
names = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12
)
runner = CliRunner()
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TAGS_FROM_A_NAME = {"img", "script", "a", "iframe", "svg:script"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # noqa: ANN001
        self.tags.add(tag)
        for key, _ in attrs:
            assert not key.startswith("on"), key  # no event handler from a name

    def handle_data(self, data):  # noqa: ANN001
        self.text.append(data)


def _db(tmp_path_factory, name: str) -> str:
    db = str(tmp_path_factory.mktemp("hostile") / "r.sqlite")
    store = ResultStore.open(db)
    for i in range(3):
        store.ingest(
            make_record(
                run_id=f"{i + 1:032x}",
                samples=[1_000_000 + 1000 * i + k for k in range(20)],
                model_name=name,
                device_name=name,
                error_message=name if i == 2 else None,
                status="error" if i == 2 else "ok",
            )
        )
    return db


def _invoke(*args: str) -> str:
    done = runner.invoke(app, list(args), catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return done.stdout


@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure prints its example; no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=names)
def test_every_output_shows_a_hostile_name_as_text(tmp_path_factory, name):
    db = _db(tmp_path_factory, name)

    # Tables: no control byte reaches the terminal; markup is shown, not obeyed.
    for argv in (["results", "list", "--db", db], ["results", "show", f"{3:032x}", "--db", db]):
        shown = _invoke(*argv)
        assert not CONTROL.search(shown), repr(shown)
        if "[" in name and len(name) < 30 and not CONTROL.search(name):
            assert name in shown.replace("\n", ""), (name, shown)

    # JSON is data: the name exactly.
    listed = json.loads(_invoke("results", "list", "--db", db, "--json"))
    assert {r["model"] for r in listed} == {name}

    # CSV: no cell a spreadsheet would evaluate; the name otherwise as it is.
    rows = list(csv.reader(io.StringIO(_invoke("export", "csv", "--db", db))))
    header, body = rows[0], rows[1:]
    for row in body:
        assert not any(c.startswith(FORMULA_START) for c in row), row
        model = row[header.index("model")]
        assert model == ("'" + name if name.startswith(FORMULA_START) else name)

    # Parquet is data: the name exactly.
    out = tmp_path_factory.mktemp("pq") / "runs.parquet"
    _invoke("export", "parquet", "--db", db, "--out", str(out))
    assert set(pd.read_parquet(out)["model"]) == {name}

    report = nightly(ResultStore.open(db, create=False))
    # Markdown, rendered as GitHub renders it (HTML allowed): no tag or link from a name.
    from markdown_it import MarkdownIt

    page = Tags()
    page.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(render(report, "md")))
    assert not page.tags & TAGS_FROM_A_NAME, page.tags

    # HTML report: escaped by its template.
    page = Tags()
    page.feed(render(report, "html"))
    assert not page.tags & TAGS_FROM_A_NAME - {"svg:script"}, page.tags
