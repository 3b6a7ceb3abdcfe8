"""Statistics over raw latency samples (integer nanoseconds).

Everything a table shows is recomputed here from the stored samples, never taken from a runner's own
summary, so one definition holds for every device. Definitions:

- percentiles (median, p90, p99, quartiles) use numpy's default linear interpolation;
- `std` is the sample standard deviation (ddof=1); `cv` = std / mean;
- `mad` is the raw median absolute deviation (not scaled by 1.4826); `iqr` = q75 − q25;
- `ci95_*` is a percentile bootstrap 95 % confidence interval of the median (seeded, so the same
  samples always give the same interval).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where samples are computed on, not with the module
    import numpy as np

BOOTSTRAP_RESAMPLES = 2000
UNITS = ("ns", "ratio", "samples")  # nanoseconds; a plain ratio (shown as %); a count


def _stat(
    unit: str,
    description: str,
    *,
    row: str | None = None,
    text: str | None = None,
    column: str | None = None,
    key: str | None = None,
) -> Any:
    """A `Summary` field's declaration (see `Statistic`); `column`/`key` override the names
    derived from the unit (only the sample count has historical ones)."""
    meta = {"unit": unit, "description": description, "row": row, "text": text}
    return field(metadata={"statistic": {**meta, "column": column, "key": key}})


@dataclass(frozen=True)
class Summary:
    """Summary statistics of one run's timed samples, all times in nanoseconds.

    The one declaration of a statistic (pyperf's metadata registry in spirit): each field's
    unit, description and place in `run`/`results show`'s table. `STATISTICS` reads it, and so
    do the stored columns (`schema.RunRow`, changed only through a migration), the flat run dict
    behind `--json`, CSV and Parquet (`export`), and the run table (`cli/render`). Adding one is
    a field here, its value in `summarize`, and a migration (docs/architecture.md). The order is
    the CSV's.
    """

    count: int = _stat(
        "samples", "timed samples summarized", column="sample_count", key="iterations"
    )
    min: float = _stat("ns", "smallest sample", row="latency (ms)", text="min {min}")
    median: float = _stat(
        "ns", "50th percentile (linear interpolation)", row="latency (ms)", text="median {median}"
    )
    mean: float = _stat("ns", "arithmetic mean", row="latency (ms)", text="mean {mean}")
    p90: float = _stat(
        "ns", "90th percentile (linear interpolation)", row="latency (ms)", text="p90 {p90}"
    )
    p99: float = _stat(
        "ns", "99th percentile (linear interpolation)", row="latency (ms)", text="p99 {p99}"
    )
    max: float = _stat("ns", "largest sample")
    std: float = _stat(
        "ns", "sample standard deviation (ddof=1)", row="spread", text="std {std} ms"
    )
    mad: float = _stat("ns", "median absolute deviation, unscaled")
    iqr: float = _stat("ns", "interquartile range, q75 − q25")
    cv: float = _stat(
        "ratio", "coefficient of variation, std / mean", row="spread", text="CV {cv} %"
    )
    ci95_low: float = _stat(
        "ns",
        "percentile-bootstrap 95 % CI of the median, lower end",
        row="spread",
        text="median 95% CI [{ci95_low}, {ci95_high}] ms",
    )
    ci95_high: float = _stat(
        "ns", "percentile-bootstrap 95 % CI of the median, upper end (shown with ci95_low)"
    )

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class Statistic:
    """One declared statistic, as every consumer reads it.

    `column` is its column in the `runs` table (`<name>_ns` for a time), `key` its name in the
    flat run dict, CSV and Parquet (`<name>_ms` for a time, in milliseconds); `row` is the run
    table's row that shows it and `text` its part of that row, a `str.format` template over the
    row's formatted values (None: in JSON and CSV only).
    """

    name: str
    type: type
    unit: str
    description: str
    column: str
    key: str
    row: str | None
    text: str | None


def _statistics() -> tuple[Statistic, ...]:
    types = {"int": int, "float": float}
    out = []
    for f in fields(Summary):
        m = f.metadata["statistic"]
        if m["unit"] not in UNITS:
            raise ValueError(f"Summary.{f.name}: unit {m['unit']!r} is not one of {UNITS}")
        suffix = {"ns": "_ns"}.get(m["unit"], "")
        out.append(
            Statistic(
                name=f.name,
                type=types[str(f.type)],
                unit=m["unit"],
                description=m["description"],
                column=m["column"] or f.name + suffix,
                key=m["key"] or f.name + {"ns": "_ms"}.get(m["unit"], ""),
                row=m["row"],
                text=m["text"],
            )
        )
    return tuple(out)


STATISTICS = _statistics()


def summarize(
    samples_ns: Sequence[int] | np.ndarray, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0
) -> Summary:
    """Summary of a non-empty sample; raises ValueError on an empty one."""
    import numpy as np

    x = np.asarray(samples_ns, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("summarize needs a non-empty 1-D sample")
    q25, median, q75, p90, p99 = np.percentile(x, [25, 50, 75, 90, 99])
    mean = float(x.mean())
    std = float(x.std(ddof=1)) if x.size > 1 else 0.0
    low, high = bootstrap_median_ci(x, resamples=resamples, seed=seed)
    return Summary(
        count=int(x.size),
        min=float(x.min()),
        median=float(median),
        mean=mean,
        p90=float(p90),
        p99=float(p99),
        max=float(x.max()),
        std=std,
        mad=float(np.median(np.abs(x - median))),
        iqr=float(q75 - q25),
        cv=std / mean if mean > 0 else float("nan"),
        ci95_low=low,
        ci95_high=high,
    )


def bootstrap_median_ci(
    x: np.ndarray, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = 0, level: float = 0.95
) -> tuple[float, float]:
    """Percentile bootstrap interval of the median, without drawing the resamples.

    The median of a resample depends only on the middle order statistic(s) of its n draws from
    the sorted sample, and those can be drawn directly: the k-th smallest of n uniforms is
    Beta(k, n − k + 1), the next one above it is u + (1 − u)·Beta(1, n − k), and ⌊n·u⌋ maps a
    uniform to an index. So each resample's median costs two Beta draws instead of n integers
    and a partition (the same distribution as resampling; 2000 resamples of 1000 samples took
    68 ms the old way, well under 1 ms this way). Seeded, so the same samples always give the
    same interval.
    """
    import numpy as np

    if x.size == 1:
        return float(x[0]), float(x[0])
    n = x.size
    xs = np.sort(x)
    rng = np.random.default_rng(seed)
    k = (n + 1) // 2  # 1-based rank of the (lower) middle draw
    u = rng.beta(k, n - k + 1, size=resamples)
    lower = xs[np.minimum((u * n).astype(np.int64), n - 1)]
    if n % 2:
        medians = lower
    else:
        v = u + (1.0 - u) * rng.beta(1, n - k, size=resamples)
        upper = xs[np.minimum((v * n).astype(np.int64), n - 1)]
        medians = (lower + upper) / 2.0
    alpha = (1 - level) / 2
    low, high = np.quantile(medians, [alpha, 1 - alpha])
    return float(low), float(high)
