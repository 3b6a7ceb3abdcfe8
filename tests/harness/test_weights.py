"""`--weights`: trained weights in every file form timm writes, hashed into the artifact's key,
kept as trained (no BatchNorm recalibration), and refused in one line when they do not fit."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from typer.testing import CliRunner

from benchctl.cli.app import app
from benchctl.harness.build import build_model
from benchctl.harness.convert import artifact_key
from benchctl.runner.digest import content_sha256

runner = CliRunner()


def test_every_file_form_loads_the_trained_state(digits, digits_model):
    trained = torch.load(digits.state_dict, weights_only=True)
    for path in (digits.state_dict, digits.safetensors, digits.checkpoint):
        built = build_model(digits_model, weights=path)
        state = built.module.state_dict()
        assert set(state) == set(trained), path.name
        for name, tensor in trained.items():  # BatchNorm statistics too: never recalibrated
            assert torch.equal(state[name], tensor), (path.name, name)
    random = build_model(digits_model).module.state_dict()
    assert not torch.equal(random["head.weight"], trained["head.weight"])


def test_weights_are_part_of_the_artifact_key(digits, digits_model):
    def key(weights):
        return artifact_key(
            digits_model,
            "onnx",
            batch=1,
            seed=0,
            weights_digest=content_sha256(weights) if weights else None,
        )

    keys = {key(None), key(digits.state_dict), key(digits.safetensors)}
    assert len(keys) == 3  # other bytes, other key (the .pt and .safetensors differ as files)
    assert key(digits.state_dict) == key(digits.state_dict)


def test_converted_artifact_records_its_weights(digits, digits_model):
    result = runner.invoke(
        app,
        ["convert", "--model", digits_model, "--to", "onnx", "--weights", str(digits.safetensors),
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["artifacts"]
    assert row["status"] == "ok" and row["parity"]["passed"] is True
    meta = json.loads((Path(row["path"]).parent / "artifact.json").read_text())
    assert meta["options"]["weights"] == content_sha256(digits.safetensors)


def test_weights_that_do_not_fit_are_one_line_naming_the_tensor(digits, digits_model, tmp_path):
    state = torch.load(digits.state_dict, weights_only=True)
    narrow = dict(state, **{"head.weight": state["head.weight"][:, :31]})
    torch.save(narrow, tmp_path / "narrow.pt")
    extra = dict(state, **{"head.extra": torch.zeros(3)})
    torch.save(extra, tmp_path / "extra.pt")
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint at all")
    torch.save({"epoch": 3, "optimizer": {"lr": 0.1}}, tmp_path / "nostate.pt")
    cases = [
        (digits_model, "narrow.pt", "tensor 'head.weight' is [10, 31] in the file, [10, 32]"),
        (digits_model, "extra.pt", "the file has tensor 'head.extra' that the architecture lacks"),
        (digits_model, "garbage.pt", "cannot read weights garbage.pt"),
        (digits_model, "nostate.pt", "entry 'epoch' is not a tensor (int)"),
        ("test_mobileone", str(digits.state_dict), "does not fit test_mobileone: tensor 'stem."),
    ]
    for model, file, expected in cases:
        path = tmp_path / file
        for command in (["convert", "--to", "onnx"], ["run", "-n", "5"]):
            result = runner.invoke(app, [*command, "--model", model, "--weights", str(path)])
            assert getattr(result.exception, "exit_code", None) == 2, (command, file, result.output)
            message = str(result.exception)
            assert expected in message and "\n" not in message, (command, file, message)
