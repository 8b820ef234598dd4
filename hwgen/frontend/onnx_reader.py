"""Read an ONNX/QONNX file into a cleaned qonnx ModelWrapper, with one-line errors."""

from __future__ import annotations

import contextlib
import os
import warnings
from pathlib import Path

import numpy as np
import onnx
from google.protobuf.message import DecodeError

from hwgen.core.errors import FrontendError
from hwgen.frontend.validate import validate_model


def read_model(path: str | os.PathLike):
    """Load ``path`` (external ``.onnx.data`` included), fold constants, infer shapes."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.fold_constants import FoldConstants
    from qonnx.transformation.general import RemoveStaticGraphInputs, SortGraph
    from qonnx.transformation.infer_shapes import InferShapes

    p = Path(path)
    if not p.is_file():
        raise FrontendError(f"{p}: no such file; pass the .onnx file exported by Brevitas")
    try:
        proto = onnx.load(str(p))
    except (DecodeError, ValueError, RuntimeError, OSError, TypeError, AttributeError, IndexError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FrontendError(
            f"{p}: not a readable ONNX model ({first}); re-export it with "
            "brevitas.export.export_qonnx"
        ) from None
    if not proto.graph.node:
        raise FrontendError(f"{p}: the ONNX graph has no nodes (empty or truncated file); re-export it")
    validate_model(proto, p)  # before onnxruntime/qonnx evaluate anything
    try:
        with quiet():
            _fix_batch_dim(proto)
            del proto.graph.value_info[:]  # stale shapes in the file must not survive inference
            model = ModelWrapper(proto)
            model = _qcdq_to_quant(model)
            model = model.transform(RemoveStaticGraphInputs())
            model = model.transform(SortGraph())
            model = model.transform(InferShapes())
            model = model.transform(FoldConstants())
            model = model.transform(InferShapes())
    except Exception as e:  # noqa: BLE001 - qonnx/onnx raise many types on malformed graphs
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise FrontendError(
            f"{p}: shape inference failed ({type(e).__name__}: {first}); export with a fixed "
            "input shape (input_t=...) and opset >= 13"
        ) from None
    _name_nodes(model.graph)
    validate_model(model.model, p)  # folded constants (0/0, overflow) are checked too
    return model


@contextlib.contextmanager
def quiet():
    """No numpy/onnx warnings on stderr while qonnx/onnxruntime run our checked graph: a
    problem is reported as one error line, never after a screen of warnings."""
    _silence_onnxruntime()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


QCDQ_OPS = ("QuantizeLinear", "DequantizeLinear")


def _qcdq_to_quant(model):
    """QCDQ/QDQ models (Brevitas ``export_onnx_qcdq``, ONNX QDQ): qonnx fuses each
    QuantizeLinear (+ Clip) + DequantizeLinear chain into the QONNX ``Quant`` it stands for."""
    if not any(n.op_type in QCDQ_OPS for n in model.graph.node):
        return model
    from qonnx.transformation.infer_shapes import InferShapes
    from qonnx.transformation.qcdq_to_qonnx import QCDQToQuant

    _requantize_constants(model)
    model = model.transform(InferShapes())
    return model.transform(QCDQToQuant())


def _requantize_constants(model) -> None:
    """Weights come as integer initializers -> (Clip) -> DequantizeLinear, with no QuantizeLinear
    for qonnx to fuse. Give each its QuantizeLinear (of the dequantized float values, which
    re-quantize to the same integers) so the whole chain becomes one weight ``Quant``."""
    import numpy as np
    from onnx import helper, numpy_helper

    g = model.graph
    for i, node in enumerate(list(g.node)):
        if node.op_type != "DequantizeLinear":
            continue
        src = node.input[0]
        clip = model.find_producer(src)
        if clip is not None and clip.op_type == "Clip":
            src = clip.input[0]
        q = model.get_initializer(src)
        if q is None or model.find_producer(src) is not None or not np.issubdtype(q.dtype, np.integer):
            continue
        scale = model.get_initializer(node.input[1])
        zp = model.get_initializer(node.input[2]) if len(node.input) > 2 and node.input[2] else np.zeros((), q.dtype)
        if scale is None or zp is None:
            continue
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        shape = [1] * q.ndim
        if scale.ndim == 1 and scale.size > 1:
            shape[axis] = scale.size
        w = ((q.astype(np.float32) - zp.astype(np.float32).reshape(shape if zp.ndim else ())) *
             scale.astype(np.float32).reshape(shape if scale.ndim else ()))
        fname = f"{src}_float"
        g.initializer.append(numpy_helper.from_array(w.astype(np.float32), fname))
        qn = helper.make_node("QuantizeLinear", [fname, node.input[1], *node.input[2:3]], [f"{src}_requant"],
                              name=f"{node.name}_requant", axis=axis)
        consumer = clip if clip is not None and clip.op_type == "Clip" else node
        consumer.input[0] = f"{src}_requant"
        g.node.insert(list(g.node).index(consumer), qn)


def _silence_onnxruntime() -> None:
    """onnxruntime logs kernel failures from C++ straight to stderr; we report them ourselves."""
    try:
        import onnxruntime
    except ImportError:  # qonnx needs it to execute; without it there is nothing to silence
        return
    onnxruntime.set_default_logger_severity(4)  # fatal only


def _fix_batch_dim(proto: onnx.ModelProto) -> None:
    """Pin a symbolic batch dimension to 1 so shape inference gives concrete shapes."""
    inits = {i.name for i in proto.graph.initializer}
    for inp in proto.graph.input:
        if inp.name in inits:
            continue
        dims = inp.type.tensor_type.shape.dim
        if dims and not dims[0].HasField("dim_value"):
            dims[0].dim_value = 1


def _name_nodes(graph: onnx.GraphProto) -> None:
    seen: set[str] = set()
    for i, n in enumerate(graph.node):
        name = n.name or f"{n.op_type}_{i}"
        while name in seen:
            name = f"{name}_{i}"
        n.name = name
        seen.add(name)
