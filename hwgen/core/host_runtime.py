"""Host-side runtime shared by hwgen and the generated PYNQ driver: numpy only, no hwgen imports.

This file is copied verbatim into ``<out>/driver/`` by the generator, so it must not import
anything but numpy. It holds the one implementation of

- the AXI-stream word layout (``pack_elements``, ``pack_stream``, ``unpack_stream``): element i
  of a word at bits [i*B, (i+1)*B) from bit 0 up, two's complement, each word ``axi/8``
  little-endian bytes in memory, exactly as the DMA moves them (hwgen's parameter packer, its
  C-simulation input writer and the driver all call these);
- a small interpreter for the host-side nodes (input scaling and quantizer before the
  accelerator, Dequant and the float chain or the class selection after it), exported by hwgen
  as JSON plus an ``.npz`` of parameters (``load_host_program``/``run_host``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------------------------
# AXI-stream words
# ---------------------------------------------------------------------------------------------


def pack_elements(values: np.ndarray, bits: int, nbytes: int) -> np.ndarray:
    """Pack the last axis (n elements of ``bits`` bits) into ``nbytes`` little-endian bytes.

    Element i occupies bits [i*bits, (i+1)*bits), two's complement; unused high bits are zero.
    Returns uint8 of shape (..., nbytes).
    """
    v = np.asarray(values).astype(np.int64)
    n = v.shape[-1]
    if n * bits > nbytes * 8:
        raise ValueError(f"{n} elements of {bits} bits do not fit in {nbytes} bytes")
    u = (v & ((1 << bits) - 1)).astype(np.uint64)
    shifts = np.arange(bits, dtype=np.uint64)
    bitarr = ((u[..., None] >> shifts) & np.uint64(1)).astype(np.uint8)  # (..., n, bits)
    bitarr = bitarr.reshape(*v.shape[:-1], n * bits)
    pad = nbytes * 8 - n * bits
    if pad:
        bitarr = np.concatenate([bitarr, np.zeros((*bitarr.shape[:-1], pad), np.uint8)], axis=-1)
    return np.ascontiguousarray(np.packbits(bitarr, axis=-1, bitorder="little"))


def unpack_elements(raw: np.ndarray, n: int, bits: int, signed: bool) -> np.ndarray:
    """Inverse of ``pack_elements``: uint8 (..., nbytes) -> int64 (..., n)."""
    raw = np.ascontiguousarray(raw, dtype=np.uint8)
    bitarr = np.unpackbits(raw, axis=-1, bitorder="little")[..., : n * bits]
    bitarr = bitarr.reshape(*raw.shape[:-1], n, bits).astype(np.int64)
    v = (bitarr << np.arange(bits, dtype=np.int64)).sum(axis=-1)
    if signed:
        v = np.where(v >= (1 << (bits - 1)), v - (1 << bits), v)
    return v


def word_bytes(port: dict[str, Any]) -> int:
    """Bytes one AXI-stream word occupies in a DMA buffer."""
    return int(port["axi"]) // 8


def frame_bytes(port: dict[str, Any]) -> int:
    """Bytes of one frame (one image) of a port in a DMA buffer."""
    return int(port["words"]) * word_bytes(port)


def pack_stream(codes: np.ndarray, port: dict[str, Any]) -> np.ndarray:
    """Integer codes (N, elems) -> DMA buffer bytes (N, words * axi/8), as the accelerator reads them.

    Bipolar codes must already be bits (0 for -1, 1 for +1), as the host quantizer outputs them.
    """
    c = np.asarray(codes).reshape(len(codes), -1)
    if c.shape[1] != port["elems"]:
        raise ValueError(f"expected {port['elems']} elements per frame, got {c.shape[1]}")
    words = c.reshape(len(c), port["words"], port["epw"])
    return pack_elements(words, int(port["bits"]), word_bytes(port)).reshape(len(c), -1)


def unpack_stream(raw: np.ndarray, port: dict[str, Any]) -> np.ndarray:
    """DMA buffer bytes (N, words * axi/8) -> integer codes (N, elems), sign-extended if signed."""
    r = np.asarray(raw, dtype=np.uint8).reshape(-1, port["words"], word_bytes(port))
    v = unpack_elements(r, int(port["epw"]), int(port["bits"]), bool(port["signed"]))
    return v.reshape(len(r), port["elems"])


# ---------------------------------------------------------------------------------------------
# Host-side nodes: the quantizer semantics of QONNX, in float32 and the same operation order as
# hwgen's simulator (hwgen/sim/kernels.py, hwgen/quant.py), so the codes are bit-identical.
# ---------------------------------------------------------------------------------------------

HOST_OPS = ("Transpose", "Identity", "Flatten", "Pad", "Mul", "Add", "Sub", "Div", "QuantInt",
            "Dequant", "BatchNorm", "Relu", "PRelu", "Clip", "ArgMax", "TopK")


def _round(mode: str):
    m = mode.upper()
    table = {
        "ROUND": np.round, "HALF_EVEN": np.round, "CEIL": np.ceil, "FLOOR": np.floor, "DOWN": np.fix,
        "UP": lambda x: np.sign(x) * np.ceil(np.abs(x)),
        "HALF_UP": lambda x: np.sign(x) * np.floor(np.abs(x) + 0.5),
        "HALF_DOWN": lambda x: np.sign(x) * np.ceil(np.abs(x) - 0.5),
    }
    if m not in table:
        raise ValueError(f"unknown rounding mode {mode!r}")
    return table[m]


def int_range(bits: int, signed: bool, narrow: bool) -> tuple[int, int]:
    """(min, max) integer code of a QONNX Quant."""
    if signed:
        return (-(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1)
    return 0, 2**bits - 1 - (1 if narrow else 0)


def quant_code(x: np.ndarray, scale, zeropt, bits: int, signed: bool, narrow: bool,
               rounding_mode: str = "ROUND") -> np.ndarray:
    """Integer code ``q`` of QONNX ``Quant`` (float32 arithmetic, qonnx's operation order, so the
    code is the one qonnx's executor computes); the float output is ``dequant(q, scale, zeropt)``.
    The one implementation: hwgen's frontend, streamlining, simulator and driver all call it."""
    y = x / scale
    y = y + zeropt
    if bits == 1 and signed:
        ones = np.ones(y.shape, dtype=y.dtype)
        return np.where(y >= 0.0, ones, -ones)
    lo, hi = int_range(bits, signed, narrow)
    y = np.where(y > hi, np.asarray(hi).astype(y.dtype), y)
    y = np.where(y < lo, np.asarray(lo).astype(y.dtype), y)
    return _round(rounding_mode)(y)


def dequant(q: np.ndarray, scale, zeropt) -> np.ndarray:
    """The float value QONNX ``Quant`` outputs for integer code ``q``."""
    out = q - zeropt
    return out * scale


def bipolar_code(x: np.ndarray) -> np.ndarray:
    """Integer code (+1/-1) of QONNX ``BipolarQuant``: ``x >= 0`` maps to +1."""
    ones = np.ones(x.shape, dtype=x.dtype)
    return np.where(x >= 0.0, ones, -ones)


def _binary(fn):
    def run(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
        if len(xs) == 2:
            return [fn(xs[0], xs[1]).astype(np.float32, copy=False)]
        x = xs[0].astype(np.float32, copy=False)
        out = fn(p["value"], x) if a.get("const_first") else fn(x, p["value"])
        return [out.astype(np.float32, copy=False)]

    return run


def _quant_int(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    x = xs[0].astype(np.float32, copy=False)
    if a["bipolar"] and a.get("as_bits"):
        return [(x >= 0.0).view(np.int8)]  # BipolarQuant: x >= 0 is +1, the bit 1
    if a["bipolar"]:
        q = bipolar_code(x)
    else:
        q = quant_code(x, p["scale"], p["zeropt"], a["bits"], a["signed"], a["narrow"], a["rounding_mode"])
    if a.get("as_bits"):
        return [(q > 0).astype(np.int8)]
    return [q.astype(np.int32)]


def _flatten(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    x = xs[0]
    if a.get("channels_first") and x.ndim == 4:
        x = x.transpose(0, 3, 1, 2)
    return [x.reshape(x.shape[0], -1)]


def _pad(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    x = xs[0]
    t, l, b, r = a["pads"]
    if not (t or l or b or r):
        return [x]
    return [np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), mode="constant",
                   constant_values=x.dtype.type(a["value"]))]


def _batchnorm(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    eps = np.float32(a["epsilon"])
    s = (np.float32(1.0) / np.sqrt(p["var"] + eps)) * p["gamma"]
    # onnxruntime's CPU BatchNormalization: y = x * s + (beta - mean * s), s = gamma / sqrt(var + eps)
    return [(xs[0].astype(np.float32, copy=False) * s + (p["beta"] - p["mean"] * s)).astype(np.float32, copy=False)]


def _dequant(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    acc = xs[0].astype(np.float64) - p["offset"].astype(np.float64)
    return [(acc * p["scale"].astype(np.float64)).astype(np.float32, copy=False)]


def _argmax(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    idx = np.argmax(xs[0], axis=-1).astype(np.int64)
    return [idx[:, None] if a.get("keepdims", True) else idx]


def _topk(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    idx = np.argsort(-xs[0], axis=-1, kind="stable")[:, : a["k"]].astype(np.int64)
    return [np.take_along_axis(xs[0], idx, axis=-1), idx]


def _clip(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    return [np.minimum(np.maximum(xs[0].astype(np.float32), p["min"]), p["max"]).astype(np.float32)]


def _prelu(a: dict, p: dict, xs: list[np.ndarray]) -> list[np.ndarray]:
    x = xs[0].astype(np.float32)
    return [np.where(x < 0, x * p["slope"], x).astype(np.float32)]


KERNELS = {
    "Transpose": lambda a, p, xs: [np.ascontiguousarray(np.transpose(xs[0], (0, *(q + 1 for q in a["perm"]))))],
    "Identity": lambda a, p, xs: [xs[0]],
    "Flatten": _flatten,
    "Pad": _pad,
    "Mul": _binary(np.multiply), "Add": _binary(np.add), "Sub": _binary(np.subtract), "Div": _binary(np.divide),
    "QuantInt": _quant_int,
    "Dequant": _dequant,
    "BatchNorm": _batchnorm,
    "Relu": lambda a, p, xs: [np.maximum(xs[0], np.float32(0)).astype(np.float32)],
    "PRelu": _prelu,
    "Clip": _clip,
    "ArgMax": _argmax,
    "TopK": _topk,
}


def load_host_program(config: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The accelerator description (JSON) and the host nodes' parameters (the .npz beside it)."""
    cfg_path = Path(config)
    cfg = json.loads(cfg_path.read_text())
    with np.load(cfg_path.parent / cfg["params_file"]) as z:
        params = {k: z[k] for k in z.files}
    return cfg, params


def run_host(ops: list[dict[str, Any]], params: dict[str, np.ndarray], env: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run host nodes ``ops`` (in order) on the tensors in ``env``; returns the extended env.

    Each op is {"op", "name", "inputs", "outputs", "attrs", "params": {name: npz key}}.
    """
    env = dict(env)
    for op in ops:
        fn = KERNELS.get(op["op"])
        if fn is None:
            raise ValueError(f"host op {op['op']!r} (node {op['name']!r}) is not supported by this driver")
        p = {k: params[key] for k, key in op["params"].items()}
        outs = fn(op["attrs"], p, [env[t] for t in op["inputs"]])
        env.update(zip(op["outputs"], outs))
    return env


def preprocess(cfg: dict[str, Any], params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Float inputs (N, *input_shape) -> the accelerator's integer input codes (N, elems)."""
    x = np.asarray(x, dtype=np.float32)
    shape = tuple(cfg["input_shape"])
    if x.shape == shape:
        x = x[None]
    if tuple(x.shape[1:]) != shape:
        raise ValueError(f"inputs have shape {x.shape}; the model expects (N, {', '.join(map(str, shape))})")
    env = run_host(cfg["pre"], params, {cfg["input"]: x})
    return env[cfg["accel_in"]].reshape(len(x), -1)


def postprocess(cfg: dict[str, Any], params: dict[str, np.ndarray], codes: np.ndarray) -> list[np.ndarray]:
    """Accelerator output codes (N, elems) -> the model's outputs (logits, labels, ...), in order."""
    n = len(codes)
    y = np.asarray(codes).reshape(n, *cfg["accel_out_shape"]).astype(cfg["accel_out_numpy"])
    env = run_host(cfg["post"], params, {cfg["accel_out"]: y})
    return [env[t] for t in cfg["outputs"]]
