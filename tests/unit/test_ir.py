"""IR invariants and datatypes."""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.core.datatypes import BINARY, BIPOLAR, DataType
from hwgen.core.ir import Graph, IRError, Node, Tensor, verify


def _tensor(name, shape=(4,), dt=DataType.int(8)):
    return Tensor(name, shape, dt)


def _graph(nodes, tensors, inputs=("x",), outputs=("y",)):
    return Graph(nodes, {t.name: t for t in tensors}, inputs, outputs)


def test_datatype_ranges_and_hls():
    assert (BIPOLAR.min, BIPOLAR.max, BIPOLAR.hls) == (-1, 1, "ap_uint<1>")
    assert (BINARY.min, BINARY.max) == (0, 1)
    assert (DataType.int(8).min, DataType.int(8).max, DataType.int(8).hls) == (-128, 127, "ap_int<8>")
    assert DataType.uint(4).max == 15
    assert DataType.smallest(-5, 7) == DataType.int(4)
    assert DataType.smallest(0, 255) == DataType.uint(8)
    assert DataType.smallest(-128, 127) == DataType.int(8)
    assert DataType.smallest(-129, 0) == DataType.int(9)
    for t in ("bipolar", "binary", "int8", "uint3", "float32"):
        assert str(DataType.parse(t)) == t
    assert DataType.int(2).contains(np.array([-2, 1])) and not DataType.int(2).contains(np.array([2]))


def test_nodes_are_frozen():
    n = Node("X", "n", ("a",), ("b",), {"k": 1}, {"w": np.ones(3)})
    with pytest.raises(ValueError):
        n.params["w"][0] = 2
    with pytest.raises(TypeError):
        n.attrs["k"] = 2
    m = n.with_attrs(k=2)
    assert n.attrs["k"] == 1 and m.attrs["k"] == 2


def test_verify_accepts_a_chain_and_rejects_broken_graphs():
    t = [_tensor("x"), _tensor("h"), _tensor("y")]
    a = Node("Identity", "a", ("x",), ("h",))
    b = Node("Identity", "b", ("h",), ("y",))
    verify(_graph([a, b], t))
    with pytest.raises(IRError, match="before it is produced"):
        verify(_graph([b, a], t))
    with pytest.raises(IRError, match="two producers"):
        verify(_graph([a, Node("Identity", "c", ("x",), ("h",)), b], t))
    with pytest.raises(IRError, match="duplicate node name"):
        verify(_graph([a, Node("Identity", "a", ("h",), ("y",))], t))
    with pytest.raises(IRError, match="never produced"):
        verify(_graph([a], t))
    with pytest.raises(IRError, match="unknown tensor"):
        verify(_graph([a, b], t[:2]))


def test_graph_rewrites_are_pure():
    t = [_tensor("x"), _tensor("h"), _tensor("y")]
    a = Node("Identity", "a", ("x",), ("h",))
    b = Node("Identity", "b", ("h",), ("y",))
    g = _graph([a, b], t)
    g2 = g.replace_node(a, [a.with_attrs(tag=1)])
    assert "tag" not in g.node("a").attrs and g2.node("a").attrs["tag"] == 1
    assert g.producer("h") is a and g.consumers("h") == [b]
