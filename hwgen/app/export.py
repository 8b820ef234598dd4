"""``hwgen.export``: export a Brevitas model to QONNX and prove the file computes what PyTorch does.

Brevitas can write a QONNX file that disagrees with the model it came from (a 1-bit
``QuantIdentity``/``QuantHardTanh`` with the default signed quantizer computes {-s, 0} in PyTorch
and is exported as ``BipolarQuant``, ±s; a 1-bit ``QuantReLU`` becomes ``Relu -> BipolarQuant``,
a constant). hwgen compiles the file exactly, so such a file gives hardware that disagrees with
the trained model while every hwgen check passes. ``export`` runs the file (qonnx
``execute_onnx``) beside the PyTorch forward on sample inputs, layer by layer, and refuses it
naming the first layer whose output differs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from hwgen.core.errors import HwgenError

RTOL, ATOL = 1e-5, 1e-6


class ExportMismatch(HwgenError):
    """The exported QONNX file computes something else than the PyTorch model."""


def _layers(model: Any) -> dict[str, Any]:
    """The Brevitas / torch.nn layers (not containers, not a layer's own sub-modules)."""
    from torch import nn

    out: dict[str, Any] = {}
    for name, mod in model.named_modules():
        if not name or isinstance(mod, (nn.Sequential, nn.ModuleList, nn.ModuleDict)):
            continue
        if any(name.startswith(p + ".") for p in out):
            continue  # inside a layer already taken (a quantizer's proxies, injectors)
        cls = type(mod).__module__
        if cls.startswith(("brevitas.nn", "torch.nn.modules")) or not list(mod.children()):
            out[name] = mod
    return out


def _torch_trace(model: Any, x: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    import torch

    seen: list[tuple[str, np.ndarray]] = []
    hooks = []
    for name, mod in _layers(model).items():
        def hook(_m, _i, out, name=name):
            v = getattr(out, "value", out)  # a QuantTensor's float value
            if isinstance(v, torch.Tensor):
                seen.append((name, v.detach().float().cpu().numpy()))
        hooks.append(mod.register_forward_hook(hook))
    try:
        with torch.no_grad():
            y = model(torch.from_numpy(x))
    finally:
        for h in hooks:
            h.remove()
    y = getattr(y, "value", y)
    return seen, y.detach().float().cpu().numpy()


def sample_inputs(model_onnx: str | Path, example: np.ndarray, n: int = 16, seed: int = 0) -> np.ndarray:
    """The example plus ``n`` random inputs spanning the input quantizer's range (hwgen's verifier's)."""
    from hwgen.frontend import load
    from hwgen.sim.verify import random_inputs

    g = load(model_onnx, warnings=[])
    shape = tuple(g.tensors[g.inputs[0]].shape)
    rnd = random_inputs(shape, n, seed).astype(np.float32)
    ex = np.asarray(example, dtype=np.float32).reshape((-1, *example.shape[1:]))
    if rnd.shape[1:] != ex.shape[1:]:  # the loaded graph is NHWC; PyTorch and ONNX are NCHW
        rnd = np.random.default_rng(seed).uniform(float(ex.min()), float(ex.max()) or 1.0,
                                                   (n, *ex.shape[1:])).astype(np.float32)
    return np.concatenate([ex, rnd])


def check_export(model: Any, path: str | Path, x: np.ndarray) -> None:
    """Raise ExportMismatch naming the first layer where the QONNX file and PyTorch disagree."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx

    from hwgen.frontend.onnx_reader import read_model

    path = Path(path)
    trace, y = _torch_trace(model, x)
    wrapper: ModelWrapper = read_model(path)
    nodes = list(wrapper.graph.node)
    iname, oname = wrapper.graph.input[0].name, wrapper.graph.output[0].name
    ctxs = [execute_onnx(wrapper, {iname: x[i : i + 1]}, return_full_exec_context=True) for i in range(len(x))]
    done: set[str] = set()
    for name, want in trace:
        if name in done:
            continue
        done.add(name)
        prefix = f"/{name}/"
        scoped = [n for n in nodes if n.name.startswith(prefix)]
        if not scoped:
            continue
        last = scoped[-1]
        got = np.concatenate([c[last.output[0]] for c in ctxs]) if all(last.output[0] in c for c in ctxs) else None
        if got is None or got.shape != want.shape:
            continue
        bad = ~np.isclose(got, want, rtol=RTOL, atol=ATOL)  # NaN/Inf never compare equal
        if bad.any():
            raise ExportMismatch(_explain(model, name, last, got, want, int(bad.sum()), path))
    out = np.concatenate([c[oname] for c in ctxs]).reshape(y.shape)
    if (~np.isclose(out, y, rtol=RTOL, atol=ATOL)).any():
        raise ExportMismatch(f"{path.name}: the exported output differs from PyTorch's on "
                             f"{int((~np.isclose(out, y, rtol=RTOL, atol=ATOL)).sum())} values; "
                             "export with brevitas.export.export_qonnx(..., dynamo=False)")


def _explain(model: Any, name: str, node: Any, got: np.ndarray, want: np.ndarray, nbad: int, path: Path) -> str:
    mod = dict(model.named_modules())[name]
    kind = type(mod).__name__
    pv, ov = np.unique(want), np.unique(got)
    fmt = lambda v: "{" + ", ".join(f"{t:g}" for t in v[:4]) + (", ..." if len(v) > 4 else "") + "}"
    hint = "re-export and compare again"
    if node.op_type == "BipolarQuant" and kind in ("QuantIdentity", "QuantHardTanh", "QuantReLU"):
        hint = (f"Brevitas exports a 1-bit {kind} as BipolarQuant (±s); give it a binary quantizer "
                "(act_quant=brevitas.quant.SignedBinaryActPerTensorConst, or bnn_pynq's CommonActQuant "
                "with bit_width=1)" + (", since ReLU -> sign is a constant" if kind == "QuantReLU" else ""))
    return (f"{path.name}: layer {name!r} ({kind}) differs from its export {node.name!r} ({node.op_type}) "
            f"on {nbad}/{want.size} values: PyTorch gives {fmt(pv)}, the QONNX file {fmt(ov)}; {hint}")


def export(model: Any, example_input: Any, path: str | Path, n_samples: int = 16, seed: int = 0) -> Path:
    """Export ``model`` as QONNX to ``path`` (TorchScript path, as hwgen reads best) and check it.

    Parameters
    ----------
    model : a Brevitas model (zoo models have their weight transforms baked first).
    example_input : one input batch (torch tensor or numpy array, NCHW / (N, features)).
    path : the .onnx file; written only when the check passes (temporary file, then renamed).
    n_samples : random inputs in the input quantizer's range, besides the example.

    Raises ExportMismatch naming the first layer whose export disagrees with PyTorch.
    """
    import torch
    from brevitas.export import export_qonnx

    from hwgen.zoo.export import prepare_for_export

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ex = example_input.detach().cpu().numpy() if isinstance(example_input, torch.Tensor) else np.asarray(example_input)
    ex = ex.astype(np.float32)
    prepared = prepare_for_export(model)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with torch.no_grad():
            export_qonnx(prepared, input_t=torch.from_numpy(ex[:1]), export_path=tmp, dynamo=False)
        x = sample_inputs(tmp, ex, n_samples, seed)
        try:
            check_export(prepared, tmp, x)
        except ExportMismatch as e:
            raise ExportMismatch(str(e).replace(Path(tmp).name, path.name)) from None
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
