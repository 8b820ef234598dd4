"""Batched numpy kernels for the float-semantics and integer IR ops (hardware units simulate
themselves, see hwgen/units/).

Float kernels follow the reference executor's arithmetic: element-wise ops in float32 one
operation at a time, BatchNorm as onnxruntime computes it, quantizers as qonnx computes them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from hwgen.core.ir import Node
from hwgen.frontend.quant import bipolar_int, dequant, quant_int
from hwgen.kernels.intops import int_matmul, multithreshold
from hwgen.kernels.windows import im2col, pad_nhwc, pool, window_sums

Kernel = Callable[[Node, list[np.ndarray]], list[np.ndarray]]
KERNELS: dict[str, Kernel] = {}


def kernel(*ops: str):
    def register(fn: Kernel) -> Kernel:
        for op in ops:
            KERNELS[op] = fn
        return fn

    return register


# -- layout ---------------------------------------------------------------------------------
@kernel("Transpose")
def _transpose(node, xs):
    perm = (0,) + tuple(p + 1 for p in node.attrs["perm"])
    return [np.ascontiguousarray(np.transpose(xs[0], perm))]


@kernel("Identity")
def _identity(node, xs):
    return [xs[0]]


@kernel("Flatten")
def _flatten(node, xs):
    x = xs[0]
    if node.attrs.get("channels_first") and x.ndim == 4:
        x = x.transpose(0, 3, 1, 2)
    return [x.reshape(x.shape[0], -1)]


@kernel("Pad")
def _pad(node, xs):
    return [pad_nhwc(xs[0], node.attrs["pads"], xs[0].dtype.type(node.attrs["value"]))]


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


@kernel("QuantInt")
def _quant_int(node, xs):
    """Host-side input quantizer: float in, integer code out (bipolar as +-1 or as bit)."""
    p, a = node.params, node.attrs
    x = xs[0].astype(np.float32, copy=False)
    if a["bipolar"] and a.get("as_bits"):
        return [(x >= 0.0).view(np.int8)]  # BipolarQuant: x >= 0 is +1, the bit 1
    if a["bipolar"]:
        q = bipolar_int(x)
    else:
        q = quant_int(x, p["scale"], p["zeropt"], a["bits"], a["signed"], a["narrow"], a["rounding_mode"])
    if a.get("as_bits"):
        return [(q > 0).astype(np.int8)]
    return [q.astype(np.int32)]


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
@kernel("BatchNorm")
def _batchnorm(node, xs):
    return [batchnorm(xs[0], node)]


def batchnorm(x: np.ndarray, node: Node) -> np.ndarray:
    """onnxruntime's CPU BatchNormalization: y = x * s + (beta - mean * s), s = gamma / sqrt(var + eps)."""
    p = node.params
    eps = np.float32(node.attrs["epsilon"])
    inv_std = np.float32(1.0) / np.sqrt(p["var"] + eps)
    new_scale = inv_std * p["gamma"]
    new_bias = p["beta"] - p["mean"] * new_scale
    return (x.astype(np.float32) * new_scale + new_bias).astype(np.float32)


def _binary_op(op: str):
    fn = {"Mul": np.multiply, "Add": np.add, "Sub": np.subtract, "Div": np.divide}[op]

    def run(node, xs):
        if len(xs) == 2:
            return [fn(xs[0], xs[1]).astype(np.float32, copy=False)]
        v = node.params["value"]
        x = xs[0].astype(np.float32, copy=False)
        out = fn(v, x) if node.attrs.get("const_first") else fn(x, v)
        return [out.astype(np.float32, copy=False)]

    return run


for _op in ("Mul", "Add", "Sub", "Div"):
    KERNELS[_op] = _binary_op(_op)


@kernel("Relu")
def _relu(node, xs):
    return [np.maximum(xs[0], np.float32(0)).astype(np.float32, copy=False)]


@kernel("PRelu")
def _prelu(node, xs):
    x = xs[0].astype(np.float32, copy=False)
    return [np.where(x < 0, x * node.params["slope"], x).astype(np.float32, copy=False)]


@kernel("Clip")
def _clip(node, xs):
    x = np.maximum(xs[0].astype(np.float32), node.params["min"])
    return [np.minimum(x, node.params["max"]).astype(np.float32, copy=False)]


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
@kernel("ArgMax")
def _argmax(node, xs):
    idx = np.argmax(xs[0], axis=-1).astype(np.int64)
    return [idx[:, None] if node.attrs.get("keepdims", True) else idx]


@kernel("TopK")
def _topk(node, xs):
    x = xs[0]
    k = node.attrs["k"]
    idx = np.argsort(-x, axis=-1, kind="stable")[:, :k].astype(np.int64)
    return [np.take_along_axis(x, idx, axis=-1), idx]


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


@kernel("Dequant")
def _dequant(node, xs):
    """Host side: integer accumulator -> the float value the float graph computes there."""
    p = node.params
    acc = xs[0].astype(np.float64) - p["offset"].astype(np.float64)
    return [(acc * p["scale"].astype(np.float64)).astype(np.float32, copy=False)]
