"""The reference: qonnx's ``execute_onnx`` on the original (cleaned) model.

``execute_onnx`` runs node by node; one sample at a time it is slow. When the model allows it
we run it batched: a copy whose batch dimension is N, with Reshape targets that pin the batch
to 1 rewritten to 0 ("copy this dimension", ONNX semantics). The batched copy is checked
against the per-sample run on the first samples before it is trusted.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
from onnx import numpy_helper

from hwgen.core.errors import FrontendError
from hwgen.frontend import read_model
from hwgen.frontend.onnx_reader import quiet


class Reference:
    """Runs the original QONNX model with qonnx's executor."""

    def __init__(self, path: str | Path, batch: int | None = None):
        self.path = Path(path)
        self.model = read_model(path)
        inits = {i.name for i in self.model.graph.initializer}
        self.input = next(i.name for i in self.model.graph.input if i.name not in inits)
        self.outputs = [o.name for o in self.model.graph.output]
        # execute_onnx keeps every tensor of a run: the batch is bounded by their size per sample
        self.batch = batch or int(max(1, min(MAX_BATCH, BATCH_BYTES // max(_sample_bytes(self.model), 1))))
        self._batched: dict[int, object | None] = {}

    def per_sample(self, x: np.ndarray) -> list[np.ndarray]:
        from qonnx.core.onnx_exec import execute_onnx

        outs: list[list[np.ndarray]] = [[] for _ in self.outputs]
        for i in range(len(x)):
            try:
                with quiet():
                    run = execute_onnx(self.model, {self.input: x[i : i + 1]})
            except Exception as e:  # noqa: BLE001 - onnxruntime/qonnx raise many types
                raise self._failure(x[i : i + 1], e) from None
            for k, o in enumerate(self.outputs):
                outs[k].append(np.array(run[o], copy=True))  # not the session's arena (see __call__)
        return [np.concatenate(parts) for parts in outs]

    def _failure(self, x: np.ndarray, e: Exception) -> FrontendError:
        """One line naming the first node the reference executor cannot run."""
        from qonnx.core.onnx_exec import execute_onnx

        node = None
        for n in self.model.graph.node:
            try:
                with quiet():
                    execute_onnx(self.model, {self.input: x}, end_node=n)
            except Exception as err:  # noqa: BLE001 - any failure pins the node
                node, e = n, err
                break
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        where = f"node {node.name!r} ({node.op_type})" if node is not None else "the model"
        return FrontendError(f"{self.path.name}: the reference executor (qonnx execute_onnx) fails at "
                             f"{where}: {type(e).__name__}: {first}; hwgen cannot verify this model")

    def _batched_model(self, n: int):
        if n not in self._batched:
            self._batched[n] = _with_batch(self.model, self.input, n)
        return self._batched[n]

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        from qonnx.core.onnx_exec import execute_onnx

        x = np.asarray(x, dtype=np.float32)
        if len(x) <= 2:
            return self.per_sample(x)
        check = self.per_sample(x[:2])
        parts: list[list[np.ndarray]] = []
        for i in range(0, len(x), self.batch):
            chunk = x[i : i + self.batch]
            model = self._batched_model(len(chunk))
            try:
                with quiet():
                    out = execute_onnx(model, {self.input: chunk}) if model is not None else None
            except Exception:
                out = None
            if out is None:
                return self.per_sample(x)
            # copies: onnxruntime's output arrays keep their session's memory arena alive
            # (about 1 MB per batch on CNV: 0.5 GB for 10,000 inputs)
            res = [np.array(out[o], copy=True) for o in self.outputs]
            if i == 0 and not all(np.array_equal(r[:2], c, equal_nan=True) for r, c in zip(res, check)):
                return self.per_sample(x)
            parts.append(res)
            _release_heap()
        return [np.concatenate([p[k] for p in parts]) for k in range(len(self.outputs))]


def _release_heap() -> None:
    """Give freed heap memory back to the OS (glibc). Each execute_onnx batch allocates and frees
    hundreds of tensors and onnxruntime sessions; without a trim the freed memory stays
    fragmented in the heap and the process grows by about 50 MB per 1000 CNV images."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


# memory one batched execute_onnx run may take (all its tensors)
BATCH_BYTES = 64 << 20
MAX_BATCH = 250


def _sample_bytes(model) -> int:
    """Bytes one sample adds to an execute_onnx run: every value whose leading dimension is the
    batch (1 in the exported model), as 4-byte floats, twice (the per-node onnxruntime runs
    hold their own copies; measured on CNV: about 2x)."""
    total = 0
    g = model.graph
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        if dims and dims[0] == 1:
            total += 4 * int(np.prod(dims, dtype=np.int64))
    return 2 * total


def _with_batch(model, input_name: str, n: int):
    """A copy of ``model`` with batch dimension ``n``, or None if shapes cannot be re-inferred."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.infer_shapes import InferShapes

    proto = copy.deepcopy(model.model)
    g = proto.graph
    inits = {i.name: i for i in g.initializer}
    for node in g.node:
        if node.op_type == "Reshape" and node.input[1] in inits:
            shape = numpy_helper.to_array(inits[node.input[1]]).copy()
            if shape.size and shape[0] == 1 and not np.any(shape[1:] == 0):
                shape[0] = 0
                for a in node.attribute:
                    if a.name == "allowzero":
                        a.i = 0  # 0 now means "copy the input's dimension"
                inits[node.input[1]].CopyFrom(numpy_helper.from_array(shape.astype(np.int64), node.input[1]))
    del g.value_info[:]
    for vi in list(g.input) + list(g.output):
        if vi.name in inits:
            continue
        dims = vi.type.tensor_type.shape.dim
        if dims:
            dims[0].dim_value = n
    try:
        return ModelWrapper(proto).transform(InferShapes())
    except Exception:
        return None
