"""Measured accuracy beside latency, end to end on the test model (rerun on a quiet machine):
scikit-learn's digits, the small CNN of tests/harness/digits_cnn.py trained for a few seconds,
latency runs on this host for four runtimes, `benchctl eval` of the same artifacts, and the
Pareto figure. Everything goes to a fresh folder (default: ./accuracy_demo).

    .venv/bin/python scripts/accuracy_demo.py [OUT_DIR]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "harness"))


def benchctl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "benchctl", *args]
    print("$ benchctl", " ".join(args), flush=True)
    done = subprocess.run(cmd, text=True, capture_output=True, env=os.environ)
    print(done.stdout, done.stderr, sep="", flush=True)
    if check and done.returncode != 0:
        raise SystemExit(done.returncode)
    return done


def main() -> None:
    import digits_cnn
    from safetensors.torch import save_file

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "accuracy_demo").resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.environ["BENCHCTL_HOME"] = str(out / ".benchctl")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests" / "harness")])
    train, test = digits_cnn.write_digits(out / "data")
    weights = out / "digits.safetensors"
    save_file(digits_cnn.train(train).state_dict(), weights)
    model = "digits_cnn:build"  # a factory (tests/harness); --weights brings the trained tensors
    common = ["--model", model, "--input-shape", "3,16,16", "--weights", str(weights)]
    calib = ["--calibration-images", str(train)]
    for runtime in ("onnxruntime", "torch", "litert", "litert-int8"):
        benchctl("run", *common, *calib, "-r", runtime, "-n", "2000", "--threads", "1",
                 "--warmup", "200", check=False)  # fmt: skip
    benchctl("eval", *common, *calib, "--dataset", str(test),
             "--to", "onnx,pt2,tflite-fp32,tflite-int8", check=False)  # fmt: skip
    benchctl("export", "csv", "--rows", "models", "--include-invalid", "--published-facts-only",
             "--out", str(out / "models.csv"))  # fmt: skip
    # --include-invalid: on a loaded machine every run may fail the validity gate (labelled so)
    benchctl("plot", "pareto", "--device", "host", "--include-invalid",
             "--out", str(out / "pareto.png"))  # fmt: skip


if __name__ == "__main__":
    main()
