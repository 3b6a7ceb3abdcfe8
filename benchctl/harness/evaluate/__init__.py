"""`benchctl eval`: the top-1/top-5 of each requested artifact of a model, and of the PyTorch module
they were converted from, on a labelled dataset, stored beside the latency runs of the same
artifacts (by sha256).

One pass over the dataset: each batch is preprocessed once (the model's timm data config,
`preprocess.py`) and fed to the PyTorch reference and to every artifact's host runtime
(`predict.py`), so the drop of each artifact against PyTorch is measured on identical inputs.
An artifact that cannot be made or run here is a row saying why; the others go on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchctl.errors import ConfigError, ConversionError, DependencyMissingError

if TYPE_CHECKING:
    import numpy as np
    import torch

    from benchctl.harness.convert.cache import Artifact
    from benchctl.harness.evaluate.dataset import Dataset
    from benchctl.harness.evaluate.predict import Predictor
    from benchctl.results.measured import AccuracyRecord
    from benchctl.results.store import ResultStore

REFERENCE = "pytorch"
LOADER_BATCH = 32


@dataclass(frozen=True)
class EvalRequest:
    model: str  # a zoo name or package.module:factory
    dataset: Path  # an ImageFolder tree or a path,label CSV
    targets: tuple[str, ...] = ("onnx",)
    weights: Path | None = None  # trained weights for a zoo architecture
    limit: int | None = None  # evaluate this many samples (seeded choice)
    batch: int = 1  # the artifacts' batch, as `benchctl run --batch` (same artifact, same sha)
    loader_batch: int = LOADER_BATCH  # images preprocessed per step
    workers: int = 0  # DataLoader worker processes
    seed: int = 0
    calibration_dir: Path | None = None  # images for full-integer quantization
    input_shape: tuple[int, ...] | None = None  # a factory's C,H,W


@dataclass
class TargetResult:
    target: str
    status: str  # ok, conversion_failed, unavailable, failed
    error: str | None = None
    artifact: Artifact | None = None
    record: AccuracyRecord | None = None
    stored: bool = False


@dataclass
class EvalOutcome:
    model: str
    dataset: Dataset  # the samples evaluated
    dataset_size: int  # samples in the whole dataset
    preprocessing: dict[str, Any]
    results: list[TargetResult] = field(default_factory=list)  # the reference first


StageFn = Callable[[str], None]
ProgressFn = Callable[[int, int], None]


def check_request(req: EvalRequest) -> None:
    """Every number and name, before any work (exit 2 on a bad one)."""
    from benchctl.harness.convert.targets import get_target

    if req.limit is not None and req.limit < 1:
        raise ConfigError(f"--limit must be ≥ 1, got {req.limit}")
    for label, value in (("--batch", req.batch), ("--loader-batch", req.loader_batch)):
        if value < 1:
            raise ConfigError(f"{label} must be ≥ 1, got {value}")
    if req.workers < 0:
        raise ConfigError(f"--workers must be ≥ 0, got {req.workers}")
    if not req.targets:
        raise ConfigError("--to names no target; e.g. --to onnx,tflite-fp32,tflite-int8")
    for name in req.targets:
        if name == REFERENCE:
            raise ConfigError("the PyTorch reference is always evaluated; drop 'pytorch' from --to")
        get_target(name)
    if req.weights is not None:
        from benchctl.models.weights import check_weights_path

        check_weights_path(req.weights)


def module_sha256(module: torch.nn.Module) -> str:
    """sha256 over the module's state (names, shapes, dtypes, bytes): the reference's identity."""
    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().cpu().contiguous()
        h.update(f"{name}:{list(t.shape)}:{t.dtype}\n".encode())
        h.update(t.numpy().tobytes())
    return "sha256:" + h.hexdigest()


def evaluate(
    req: EvalRequest,
    store: ResultStore | None,
    *,
    cache_root: Path | None = None,
    on_stage: StageFn | None = None,
    on_progress: ProgressFn | None = None,
) -> EvalOutcome:
    """Evaluate the reference and every target; store each result (when `store` is given)."""
    from benchctl import config
    from benchctl.models._registry import MODELS, registered
    from benchctl.models._user import OnnxModelRef, resolve_model_ref

    check_request(req)
    from benchctl.harness.evaluate.dataset import open_dataset

    dataset_all = open_dataset(req.dataset)
    calibration_dir = req.calibration_dir
    if calibration_dir is not None and not calibration_dir.is_dir():
        raise ConfigError(f"calibration folder {calibration_dir} does not exist")
    existing = MODELS.get_or_none(req.model)
    if existing is not None and existing.role == "user":
        existing = None  # a factory is resolved afresh: its code or shape may have changed
    spec = existing or resolve_model_ref(req.model, req.input_shape)
    if isinstance(spec, OnnxModelRef):
        raise ConfigError(
            f"{spec.path.name} is an ONNX file: benchctl cannot know its preprocessing; evaluate "
            "the zoo model or the package.module:factory it came from"
        )
    with ExitStack() as stack:
        if spec.role == "user":
            stack.enter_context(registered(spec))  # for this evaluation only
        return _evaluate(
            req,
            store,
            dataset_all,
            Path(cache_root) if cache_root else config.artifacts_dir(),
            on_stage or (lambda _text: None),
            on_progress or (lambda _done, _total: None),
        )


def _evaluate(
    req: EvalRequest,
    store: ResultStore | None,
    dataset_all: Dataset,
    cache_root: Path,
    stage: StageFn,
    progress: ProgressFn,
) -> EvalOutcome:
    from benchctl.harness.convert import ArtifactCache, LazyBuild, get_artifact
    from benchctl.harness.evaluate.predict import PredictorUnavailable, open_predictor
    from benchctl.harness.evaluate.preprocess import data_config, make_transform

    stage(f"building {req.model}")
    build = LazyBuild(req.model, req.batch, req.seed, req.weights)
    built = build()
    preprocessing = data_config(built.module, built.spec.input_size)
    dataset = dataset_all.subset(req.limit)
    outcome = EvalOutcome(req.model, dataset, len(dataset_all.samples), preprocessing)
    cache = ArtifactCache(cache_root)
    results: dict[str, TargetResult] = {REFERENCE: TargetResult(REFERENCE, "ok")}
    predictors: dict[str, Predictor] = {}
    for name in req.targets:
        result = results.setdefault(name, TargetResult(name, "ok"))
        try:
            result.artifact = get_artifact(
                req.model,
                name,
                cache,
                batch=req.batch,
                seed=req.seed,
                on_stage=stage,
                build=build,
                calibration_dir=req.calibration_dir,
                weights=req.weights,
            )
            predictors[name] = open_predictor(result.artifact)
        except (ConversionError, DependencyMissingError) as exc:
            result.status, result.error = "conversion_failed", str(exc)
        except PredictorUnavailable as exc:
            result.status, result.error = "unavailable", str(exc)
    stage(f"hashing {len(dataset.samples)} images of {dataset.name}")
    dataset_sha = dataset.content_sha256()
    counts = _run(built.module, predictors, dataset, make_transform(preprocessing), req, progress)
    for name, failure in counts.failures.items():
        results[name].status, results[name].error = "failed", failure
    ref = _record(req, built, dataset, dataset_sha, outcome, REFERENCE, None, counts, None)
    results[REFERENCE].record = ref
    for name, result in results.items():
        if name != REFERENCE and result.status == "ok":
            result.record = _record(
                req, built, dataset, dataset_sha, outcome, name, result.artifact, counts, ref
            )
            result.record.runtime_version = predictors[name].version
            result.record.runtime = predictors[name].runtime
    if store is not None:
        stage("storing the results")
        for result in results.values():
            if result.record is not None:
                result.stored = store.ingest_accuracy(result.record)
    outcome.results = list(results.values())
    return outcome


@dataclass
class _Counts:
    n: int = 0
    num_classes: int = 0
    correct1: dict[str, int] = field(default_factory=dict)
    correct5: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, logits: np.ndarray, labels: np.ndarray, seconds: float) -> None:
        import numpy as np

        order = np.argsort(-logits, axis=1, kind="stable")
        self.correct1[name] = self.correct1.get(name, 0) + int((order[:, 0] == labels).sum())
        top5 = (order[:, :5] == labels[:, None]).any(axis=1)
        self.correct5[name] = self.correct5.get(name, 0) + int(top5.sum())
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds


def _run(
    module: torch.nn.Module,
    predictors: dict[str, Predictor],
    dataset: Dataset,
    transform: Any,
    req: EvalRequest,
    progress: ProgressFn,
) -> _Counts:
    import torch
    from torch.utils.data import DataLoader

    loader = DataLoader(
        dataset.torch_dataset(transform),
        batch_size=req.loader_batch,
        shuffle=False,
        num_workers=req.workers,
    )
    counts = _Counts()
    total = len(dataset.samples)
    live = dict(predictors)
    progress(0, total)
    for images, labels in loader:
        x = images.float()
        y = labels.numpy()
        t0 = time.perf_counter()
        with torch.no_grad():
            reference = module(x).numpy()
        if reference.ndim != 2:
            raise ConfigError(
                f"{req.model} outputs shape {list(reference.shape)}; eval needs class logits "
                "(batch × classes)"
            )
        counts.num_classes = reference.shape[1]
        if int(y.max()) >= counts.num_classes:
            raise ConfigError(
                f"{dataset.name} has label {int(y.max())} but {req.model} outputs "
                f"{counts.num_classes} classes; check the dataset's classes"
            )
        counts.add(REFERENCE, reference, y, time.perf_counter() - t0)
        batch = x.numpy()
        for name, predict in list(live.items()):
            t0 = time.perf_counter()
            try:
                logits = predict(batch)
            except Exception as exc:  # the runtime failed on this artifact: its row says so
                counts.failures[name] = f"{type(exc).__name__}: {str(exc)[:300]}"
                del live[name]
                continue
            counts.add(name, logits, y, time.perf_counter() - t0)
        counts.n += len(y)
        progress(counts.n, total)
    return counts


def _record(
    req: EvalRequest,
    built: Any,
    dataset: Dataset,
    dataset_sha: str,
    outcome: EvalOutcome,
    target: str,
    artifact: Artifact | None,
    counts: _Counts,
    reference: AccuracyRecord | None,
) -> AccuracyRecord:
    import torch

    from benchctl import __version__
    from benchctl.harness.environment import harness_git_sha, library_versions
    from benchctl.harness.evaluate.preprocess import config_digest
    from benchctl.results.measured import AccuracyRecord
    from benchctl.runner.digest import content_sha256

    n = counts.n
    has_top5 = counts.num_classes >= 5
    return AccuracyRecord(
        created_at=datetime.now(UTC),
        model_name=req.model,
        target=target,
        artifact_format=artifact.format if artifact else REFERENCE,
        precision=artifact.options.get("precision", "fp32") if artifact else "fp32",
        runtime="torch",
        runtime_version=torch.__version__,
        dataset_name=dataset.name,
        dataset_path=str(dataset.root),
        dataset_layout=dataset.layout,
        dataset_sha256=dataset_sha,
        dataset_size=outcome.dataset_size,
        num_samples=n,
        sample_limit=req.limit
        if req.limit is not None and req.limit < outcome.dataset_size
        else None,
        preprocessing=outcome.preprocessing,
        preprocessing_sha256=config_digest(outcome.preprocessing),
        top1=100.0 * counts.correct1[target] / n,
        correct1=counts.correct1[target],
        top5=100.0 * counts.correct5[target] / n if has_top5 else None,
        correct5=counts.correct5[target] if has_top5 else None,
        seconds=counts.seconds[target],
        harness_version=__version__,
        harness_git_sha=harness_git_sha(),
        artifact=artifact.to_json() if artifact else None,
        module_sha256=None if artifact else module_sha256(built.module),
        weights_sha256=content_sha256(req.weights) if req.weights else None,
        model_source_hash=built.spec.source_hash(),
        reference_top1=reference.top1 if reference else None,
        versions={k: v for k, v in library_versions().items() if v},
    )
