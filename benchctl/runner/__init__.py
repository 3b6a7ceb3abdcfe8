"""The device-side runner: `python -m benchctl.runner SPEC.json` → result.json beside it.

This package is everything that runs on the device: the runner (`run.py`), the JSON contract it
speaks (`contract/`), the timing loop (`measure.py`), the contention monitor (`contention.py`),
machine facts and memory (`facts.py`, `memory.py`), content hashes (`digest.py`) and the runtime
backends (`backends/`). The host imports these same modules, so each piece is defined once.

The closure rule: a module here imports only the standard library, other modules of this package,
`benchctl` itself (its `__init__`: the version), the plugin mechanism that fills the backend table
(`benchctl.registry`, `benchctl.plugins`, `benchctl.errors`: standard library only), `jsonschema`
and `numpy`, and, inside a backend, that backend's runtime library, only when that backend is
used. Never the rest of benchctl (no CLI, store, converters or transports). The ssh transport
ships exactly this closure to a board and names the bundle by its hash
(`harness/runner_bundle.py`), so an edit to the CLI never re-pushes the runner;
tests/runner/test_closure.py measures the closure and fails when it grows.

This `__init__` imports nothing, so host code that needs one piece (a digest, the statistics of
`measure`) does not load the rest.
"""
