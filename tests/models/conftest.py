"""Fixtures for the model zoo's tests: fake published rows for the tiny variants."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchctl.models import ModelSpec, PublishedFact


def fact(
    model: str = "test_emo",
    *,
    params: str = "",
    ops: str = "",
    unit: str = "M",
    label: str = "FLOPs",
    resolution: int | None = None,
    params_exception: str = "",
    ops_exception: str = "",
    table: str = "Table 1",
    top1: str = "",
) -> PublishedFact:
    """A published row written as a paper would print it."""
    return PublishedFact(
        model=model,
        seed="004",
        table=table,
        resolution=resolution,
        params_text=params,
        ops_text=ops,
        ops_label=label if ops else "",
        ops_unit=unit if ops else "",
        top1=top1,
        params_exception=params_exception,
        ops_exception=ops_exception,
        provenance="test",
        notes="",
    )


Installer = Callable[[dict[str, list[PublishedFact]]], None]


@pytest.fixture
def make_fact() -> Callable[..., PublishedFact]:
    return fact


@pytest.fixture
def fake_published(monkeypatch: pytest.MonkeyPatch) -> Installer:
    """Replace the published facts of some models (others keep the real CSV's rows)."""

    def install(rows: dict[str, list[PublishedFact]]) -> None:
        real = ModelSpec.published.fget
        assert real is not None
        monkeypatch.setattr(
            ModelSpec,
            "published",
            property(lambda spec: tuple(rows[spec.name]) if spec.name in rows else real(spec)),
        )

    return install
