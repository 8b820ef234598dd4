"""Property-based: random BNN graphs (depth, widths, kernels, strides, pads, pools, BatchNorm
with negative gammas, zero gammas, tiny variances, integer means) compile to hardware graphs
whose simulation equals qonnx's execute_onnx, stage by stage, with ==."""

from __future__ import annotations

import numpy as np
import onnx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from hwgen.core.flow import compile_model
from hwgen.frontend.reference import Reference
from hwgen.sim.executor import simulate

QDOMAIN = "qonnx.custom_op.general"


class _Builder:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.nodes: list = []
        self.inits: list = []
        self.k = 0

    def name(self, p: str) -> str:
        self.k += 1
        return f"{p}{self.k}"

    def const(self, value, p="c") -> str:
        n = self.name(p)
        self.inits.append(numpy_helper.from_array(np.asarray(value), n))
        return n

    def node(self, op, inputs, domain="", **attrs) -> str:
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=self.name(op), domain=domain, **attrs))
        return out

    def bipolar(self, x, scale=1.0) -> str:
        return self.node("BipolarQuant", [x, self.const(np.float32(scale))], domain=QDOMAIN)

    def quant(self, x, bits, scale, signed=1, narrow=0) -> str:
        return self.node("Quant", [x, self.const(np.float32(scale)), self.const(np.float32(0)),
                                   self.const(np.float32(bits))], domain=QDOMAIN,
                         signed=signed, narrow=narrow, rounding_mode="ROUND")

    def weight(self, shape, per_channel: bool) -> str:
        w = self.rng.standard_normal(shape).astype(np.float32)
        if per_channel:
            s = (2.0 ** self.rng.integers(-2, 2, size=shape[0])).astype(np.float32)
            s = s.reshape((shape[0],) + (1,) * (len(shape) - 1))
        else:
            s = np.float32(2.0 ** self.rng.integers(-1, 2))
        return self.node("BipolarQuant", [self.const(w, "w"), self.const(s, "s")], domain=QDOMAIN)

    def batchnorm(self, x, c: int, edge: str) -> str:
        r = self.rng
        gamma = r.standard_normal(c).astype(np.float32)
        beta = r.standard_normal(c).astype(np.float32)
        mean = (r.standard_normal(c) * 3).astype(np.float32)
        var = (r.random(c) * 4 + 0.1).astype(np.float32)
        if edge == "zero_gamma":
            gamma[: max(1, c // 3)] = 0.0
        elif edge == "tiny_var":
            var[: max(1, c // 2)] = 1e-7
        elif edge == "integer_mean":
            mean = np.round(mean)
            beta[:] = 0.0
        return self.node("BatchNormalization", [x, self.const(gamma), self.const(beta), self.const(mean),
                                                self.const(var)], epsilon=1e-5)


@st.composite
def bnn_graphs_for(draw, c: int, hw: int):
    """A random BNN graph for (1, c, hw, hw) inputs."""
    seed = draw(st.integers(0, 2**31 - 1))
    b = _Builder(np.random.default_rng(seed))
    eight_bit = draw(st.booleans())
    x = "inp"
    y = b.node("Sub", [b.node("Mul", [x, b.const(np.float32(2.0))]), b.const(np.float32(1.0))])
    y = b.quant(y, 8, 2.0**-7) if eight_bit else b.bipolar(y)
    bipolar_in = not eight_bit
    edges = st.sampled_from(["none", "zero_gamma", "tiny_var", "integer_mean"])
    for _ in range(draw(st.integers(0, 2))):
        k = draw(st.integers(1, 3))
        stride = draw(st.sampled_from([1, 2]))
        pad = draw(st.integers(0, 1)) if k > 1 else 0
        if (hw + 2 * pad - k) // stride + 1 < 1:
            break
        oc = draw(st.sampled_from([2, 4, 6]))
        pads = [0, 0, 0, 0]
        if pad and bipolar_in:
            value = draw(st.sampled_from([-1.0, 1.0]))
            y = b.node("Pad", [y, b.const(np.array([0, 0, pad, pad, 0, 0, pad, pad], np.int64)),
                               b.const(np.float32(value))], mode="constant")
        elif pad:
            pads = [pad] * 4
        y = b.node("Conv", [y, b.weight((oc, c, k, k), draw(st.booleans()))], kernel_shape=[k, k],
                   strides=[stride, stride], pads=pads)
        hw = (hw + 2 * pad - k) // stride + 1
        c = oc
        y = b.batchnorm(y, c, draw(edges))
        pool = draw(st.sampled_from(["none", "before", "after"])) if hw >= 2 else "none"
        if pool == "before":
            y = b.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2])
        y = b.quant(y, 2, 1.0, signed=1, narrow=1) if draw(st.booleans()) and pool != "after" else b.bipolar(y)
        if pool == "after":
            y = b.node("MaxPool", [y], kernel_shape=[2, 2], strides=[2, 2])
        if pool != "none":
            hw //= 2
        bipolar_in = True  # 2-bit codes include 0: only the first layer's input may be padded with 0
    y = b.node("Flatten", [y], axis=1)
    width = c * hw * hw
    for _ in range(draw(st.integers(0, 2))):
        m = draw(st.sampled_from([3, 8, 16]))
        w = b.weight((m, width), draw(st.booleans()))
        y = b.node("MatMul", [y, b.node("Transpose", [w], perm=[1, 0])])
        y = b.bipolar(b.batchnorm(y, m, draw(edges)))
        width = m
    classes = draw(st.integers(2, 6))
    w = b.weight((classes, width), False)
    y = b.node("MatMul", [y, b.node("Transpose", [w], perm=[1, 0])])
    y = b.node("Mul", [y, b.const(np.float32(0.25))])
    if draw(st.booleans()):
        y = b.node("ArgMax", [y], axis=1, keepdims=1)
        out_type = TensorProto.INT64
    else:
        out_type = TensorProto.FLOAT
    graph = helper.make_graph(
        b.nodes, "random_bnn",
        [helper.make_tensor_value_info("inp", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info(y, out_type, None)], b.inits,
    )
    return graph


def _finish(graph, shape) -> onnx.ModelProto:
    graph.input[0].CopyFrom(helper.make_tensor_value_info("inp", TensorProto.FLOAT, [1, *shape]))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(QDOMAIN, 1)])
    return model


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_bnn_graphs_are_exact(tmp_path_factory, data):
    shape = (data.draw(st.sampled_from([1, 2, 3]), label="channels"), data.draw(st.integers(5, 9), label="size"))
    graph = data.draw(bnn_graphs_for(shape[0], shape[1]))
    model = _finish(graph, (shape[0], shape[1], shape[1]))
    path = tmp_path_factory.mktemp("rand") / "m.onnx"
    onnx.save(model, str(path))
    stages = compile_model(path).stages
    x = np.random.default_rng(0).random((64, shape[0], shape[1], shape[1]), dtype=np.float32)
    ref = Reference(path)(x)
    for stage, g in stages.items():
        for o, r in zip(simulate(g, x), ref):
            assert np.array_equal(o.reshape(r.shape), r), stage
