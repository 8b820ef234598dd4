"""Batched numpy kernels for the float-semantics and integer IR ops (hardware units simulate
themselves, see hwgen/units/).

Float kernels follow the reference executor's arithmetic: element-wise ops in float32 one
operation at a time, BatchNorm as onnxruntime computes it, quantizers as qonnx computes them.
The ops that can run on the host (layout, element-wise, BatchNorm, the input quantizer, Dequant,
class selection) are not implemented here: they dispatch to ``hwgen.core.host_runtime``, the one
interpreter that the generated PYNQ driver runs too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from hwgen.core import host_runtime
from hwgen.core.ir import Node
from hwgen.frontend.quant import bipolar_int, dequant, quant_int
from hwgen.kernels.intops import int_matmul, multithreshold
from hwgen.kernels.windows import im2col, pool, window_sums

Kernel = Callable[[Node, list[np.ndarray]], list[np.ndarray]]
KERNELS: dict[str, Kernel] = {}


def kernel(*ops: str):
    def register(fn: Kernel) -> Kernel:
        for op in ops:
            KERNELS[op] = fn
        return fn

    return register


# -- quantizers -----------------------------------------------------------------------------
@kernel("Quant")
def _quant(node, xs):
    p, a = node.params, node.attrs
    q = quant_int(xs[0].astype(np.float32), p["scale"], p["zeropt"], a["bits"], a["signed"],
                  a["narrow"], a["rounding_mode"])
    return [dequant(q, p["scale"], p["zeropt"]).astype(np.float32, copy=False)]


@kernel("BipolarQuant")
def _bipolar_quant(node, xs):
    return [(bipolar_int(xs[0].astype(np.float32)) * node.params["scale"]).astype(np.float32, copy=False)]


# -- float linear layers ----------------------------------------------------------------------
@kernel("MatMul")
def _matmul(node, xs):
    # float32 like the reference; BNN products are small integers times powers of two: exact
    return [(xs[0].astype(np.float32) @ node.params["weight"].astype(np.float32)).astype(np.float32, copy=False)]


@kernel("Conv")
def _conv(node, xs):
    a = node.attrs
    cols = im2col(xs[0], a["kernel"], a["stride"], a["pads"], xs[0].dtype.type(a["pad_value"]))
    w = node.params["weight"]
    out = cols.reshape(-1, cols.shape[-1]).astype(np.float32) @ w.reshape(w.shape[0], -1).T.astype(np.float32)
    return [out.reshape(*cols.shape[:3], -1)]


# -- float element-wise ---------------------------------------------------------------------


@kernel("MaxPool")
def _maxpool(node, xs):
    a = node.attrs
    x = xs[0]
    out = pool(x, a["kernel"], a["stride"], a["pads"], a.get("ceil_mode", False))
    mask = node.params.get("min_mask")
    if mask is not None and mask.any():
        low = pool(x, a["kernel"], a["stride"], a["pads"], a.get("ceil_mode", False), np.min)
        out = np.where(mask.astype(bool), low, out)
    return [out]


@kernel("Concat")
def _concat(node, xs):
    return [np.concatenate(xs, axis=-1)]


@kernel("AvgPool")
def _avgpool(node, xs):
    """onnxruntime's AveragePool: the float32 window sum divided by the window size."""
    k = node.attrs["kernel"]
    s = window_sums(xs[0], k)
    return [(s / np.float32(k[0] * k[1])).astype(np.float32, copy=False)]


@kernel("GlobalAvgPool")
def _global_avgpool(node, xs):
    x = xs[0]
    s = x.reshape(x.shape[0], -1, x.shape[-1]).sum(axis=1, dtype=x.dtype)
    return [(s / np.float32(x.shape[1] * x.shape[2])).astype(np.float32, copy=False).reshape(x.shape[0], 1, 1, -1)]


# -- class selection ----------------------------------------------------------------------


# -- integer layers (streamlined graph) -----------------------------------------------------
@kernel("IntMatMul")
def _int_matmul(node, xs):
    x = xs[0].reshape(xs[0].shape[0], -1)
    return [int_matmul(x, node.params["weight"], node.attrs["acc_bound"])]


@kernel("IntConv")
def _int_conv(node, xs):
    a = node.attrs
    cols = im2col(xs[0], a["kernel"], a["stride"], a["pads"], xs[0].dtype.type(a["pad_value"]))
    w = node.params["weight"]
    n, oh, ow, k = cols.shape
    out = int_matmul(cols.reshape(-1, k), w.reshape(w.shape[0], -1).T, a["acc_bound"])
    return [out.reshape(n, oh, ow, -1)]


@kernel("MultiThreshold")
def _multithreshold(node, xs):
    return [multithreshold(xs[0], node.params["thresholds"], node.attrs["out_base"], node.attrs["out_step"])]


@kernel("IntAdd")
def _int_add(node, xs):
    sa, sb = node.attrs["shifts"]
    return [(xs[0].astype(np.int64) << sa) + (xs[1].astype(np.int64) << sb)]


@kernel("WindowSum")
def _window_sum(node, xs):
    """Integer sums of an average pool's windows (the division folds into the next thresholds)."""
    x = xs[0]
    if node.attrs.get("global"):
        return [x.reshape(x.shape[0], -1, x.shape[-1]).astype(np.int64).sum(axis=1).reshape(x.shape[0], 1, 1, -1)]
    return [window_sums(x, node.attrs["kernel"])]


# -- host-side ops: the one interpreter the generated driver runs too --------------------------
def _host(op: str) -> Kernel:
    fn = host_runtime.KERNELS[op]

    def run(node: Node, xs: list[np.ndarray]) -> list[np.ndarray]:
        return fn(node.attrs, node.params, xs)

    return run


for _op in host_runtime.HOST_OPS:
    KERNELS[_op] = _host(_op)
