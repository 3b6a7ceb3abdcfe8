#!/usr/bin/env bash
# The GPU check in one call, on a machine with an NVIDIA GPU and its own CUDA torch, offline:
#   bash scripts/gpu_check.sh            (PYTHON=python3.12 to choose the interpreter)
# Installs benchctl from this working tree into a throw-away venv that sees the machine's own
# packages (its torch is kept; nothing is downloaded), then runs scripts/gpu_check.py, which
# prints one JSON summary. Exit 0: every check passed; 1: one failed; 2: no GPU here.
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
VENV="$(mktemp -d -t benchctl-gpu-check-XXXXXX)"
trap 'rm -rf "$VENV"' EXIT
install="pip install --no-deps --no-build-isolation -e . (venv over the system site-packages)"
# GPU_CHECK_VENV=0: no install, run from the tree (when $PYTHON is itself a venv's interpreter,
# a venv made from it would not see that venv's torch).
if [ "${GPU_CHECK_VENV:-1}" != 0 ] \
  && "$PY" -m venv --system-site-packages "$VENV/venv" >"$VENV/venv.log" 2>&1 \
  && { "$VENV/venv/bin/pip" uninstall -q -y setuptools >/dev/null 2>&1; true; } \
  && PIP_NO_INDEX=1 "$VENV/venv/bin/pip" install -q --no-deps --no-build-isolation -e . \
       >"$VENV/pip.log" 2>&1; then
  # (the venv's seeded setuptools, 65 on Python 3.11, predates the PEP 639 license field; the
  # machine's own setuptools >= 77 builds the editable install)
  RUN="$VENV/venv/bin/python"
else
  # No venv module or no setuptools here: run from the source tree, and say so in the summary.
  why="$(cat "$VENV/pip.log" "$VENV/venv.log" 2>/dev/null | grep -iE 'error|requires' | head -n 2 | tr '\n' ' ' | cut -c1-200)"
  [ "${GPU_CHECK_VENV:-1}" = 0 ] && why="GPU_CHECK_VENV=0"
  install="not installed (${why:-see pip}); ran with PYTHONPATH=$PWD"
  RUN="$PY"
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi
cd "$VENV"  # the installed package, not the checkout, is what gets imported
timeout 470 "$RUN" "$OLDPWD/scripts/gpu_check.py" --install "$install" "$@"
rc=$?
[ $rc -eq 124 ] && echo '{"ok": false, "reason": "the GPU check ran past 470 s"}'
exit $rc
