"""BNN-PYNQ reference models (brevitas_examples.bnn_pynq) for tests, benchmarks and calibration:
export with randomized BatchNorm statistics, and BNN-PYNQ's published foldings."""

from __future__ import annotations

from pathlib import Path

from hwgen.core.ir import Graph

# BNN-PYNQ's MVAU (PE, SIMD) per layer (DESIGN §9)
FOLDING = {
    "CNV_1W1A": [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (4, 1)],
    "LFC_1W1A": [(32, 64), (64, 32), (32, 64), (16, 8)],
}
# MVAU shapes BNN-PYNQ padded where its PE/SIMD do not divide ours: layer index -> attrs
PADDING = {"CNV_1W1A": {8: {"mh": 64}}, "LFC_1W1A": {0: {"mw": 832}, 3: {"mh": 64}}}


def input_shape(name: str) -> tuple[int, int, int]:
    return (3, 32, 32) if name.startswith("CNV") else (1, 28, 28)


def randomize_batchnorm(model, seed: int = 0, negative: float = 0.3):
    """Random BatchNorm statistics, a fraction ``negative`` of the channels with negative gamma,
    so that untrained models exercise flipping, thresholds and every code path."""
    import torch
    from torch import nn

    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            m.running_mean.data = torch.randn(c, generator=g) * 4
            m.running_var.data = torch.rand(c, generator=g) * 8 + 0.05
            gamma = torch.rand(c, generator=g) + 0.1
            flip = torch.rand(c, generator=g) < negative
            m.weight.data = torch.where(flip, -gamma, gamma)
            m.bias.data = torch.randn(c, generator=g)
    return model


def build(name: str, seed: int = 0, randomize: bool = True):
    """The eval-mode brevitas_examples model ``name`` (e.g. "CNV_1W1A"), BatchNorm randomized."""
    import torch
    from brevitas_examples.bnn_pynq.models import model_with_cfg

    torch.manual_seed(seed)  # the weights too: the same seed gives the same model
    m, _ = model_with_cfg(name, pretrained=False)
    m.input_shape = input_shape(name)
    if randomize:
        randomize_batchnorm(m, seed)
    return m.eval()


def export_bnn_pynq(name: str, path: str | Path, seed: int = 0, randomize: bool = True, model=None) -> Path:
    """Export ``model`` (default ``build(name, seed)``) as QONNX (TorchScript path) to ``path``."""
    import torch
    from brevitas.export import export_qonnx

    m = model if model is not None else build(name, seed, randomize)
    export_qonnx(m, input_t=torch.rand(1, *m.input_shape), export_path=str(path), dynamo=False)
    return Path(path)


def apply_folding(g: Graph, name: str) -> Graph:
    """BNN-PYNQ's folding (and padded MVAU shapes) on our hardware graph of model ``name``;
    each SlidingWindow gets its MVAU's SIMD, pools read a whole pixel per cycle as BNN-PYNQ's do."""
    folding, pad = FOLDING[name], PADDING.get(name, {})
    mvaus = [n for n in g.nodes if n.op == "MVAU"]
    if len(mvaus) != len(folding):
        raise ValueError(f"{name}: {len(mvaus)} MVAUs, BNN-PYNQ's folding has {len(folding)}")
    for i, (n, (pe, simd)) in enumerate(zip(mvaus, folding)):
        g = g.replace_node(n, [n.with_attrs(pe=pe, simd=simd, **pad.get(i, {}))])
        for s in g.nodes:
            if s.op == "SlidingWindow" and s.outputs[0] == n.inputs[0]:
                g = g.replace_node(s, [s.with_attrs(simd=simd)])
    for n in g.nodes:
        if n.op == "StreamingMaxPool":
            g = g.replace_node(n, [n.with_attrs(pe=n.attrs["channels"])])
    return g
