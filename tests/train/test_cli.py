"""`hwgen train` / `hwgen zoo`: user errors are one-line HwgenErrors; the happy path writes files."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hwgen.app.cli_train import check_names, load_checkpoint, train_cmd, zoo_cmd
from hwgen.core.errors import HwgenError


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("vgg", "digits", "adambnn", None), "unknown model 'vgg'; valid models: tfc, sfc, lfc, "),
        (("sfc", "cifar", "adambnn", None), "unknown dataset 'cifar'; valid datasets: digits, "),
        (("sfc", "digits", "lion", None), "unknown recipe 'lion'; valid recipes: binarynet, "),
        (("sfc", "digits", "sgd", "dorefa"), "unknown method 'dorefa'; valid methods: binarynet"),
    ],
)
def test_unknown_names(args, message: str) -> None:
    with pytest.raises(HwgenError, match=message) as info:
        check_names(*args)
    assert "\n" not in str(info.value)


def test_unknown_name_exit_code_2_one_line(tmp_path) -> None:
    out = tmp_path / "m.onnx"
    result = CliRunner().invoke(
        train_cmd, ["--model", "vgg", "--dataset", "digits", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # handled, no traceback
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: unknown model 'vgg'; valid models:")
    assert not out.exists()


def test_train_happy_path(tmp_path) -> None:
    out = tmp_path / "digits.onnx"
    args = ["--model", "digits-mlp", "--dataset", "digits", "--recipe", "adambnn",
            "--epochs", "2", "--batch-size", "64", "--seed", "1", "--out", str(out), "--quiet"]
    result = CliRunner().invoke(train_cmd, args)
    assert result.exit_code == 0, result.output
    log = json.loads(out.with_suffix(".json").read_text())
    assert [r["epoch"] for r in log["log"]] == [1, 2]
    assert {"test_accuracy", "ff_ratio", "c2i_ratio", "train_loss"} <= set(log["log"][0])
    assert log["final_test_accuracy"] == log["log"][-1]["test_accuracy"]
    assert out.exists() and out.stat().st_size > 0
    model = load_checkpoint(out.with_suffix(".pt"))
    assert model.zoo_spec["name"] == "digits-mlp"
    assert "test accuracy" in result.output


def test_zoo_lists_models_and_recipes() -> None:
    result = CliRunner().invoke(zoo_cmd, [], terminal_width=200)
    assert result.exit_code == 0
    for name in ("tfc", "sfc", "lfc", "digits-mlp", "cnv", "bireal-cnn", "adambnn", "binarynet"):
        assert name in result.output
