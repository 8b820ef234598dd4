"""Insert: width converters and FIFOs become graph nodes (DESIGN §1 ``insert``).

On every stream of the folded hardware graph — from the DMA into a unit, between two units,
from a unit to the DMA — the pass puts a ``DataWidthConverter`` where the producer's word
differs from the consumer's, and a ``FIFO`` in front of every consumer (depth 2 until the
``fifo`` pass sizes it). The simulator, the estimate and codegen then read one graph: nothing
downstream invents converters or buffers of its own.
"""

from __future__ import annotations

from hwgen.core.axi import axi_port
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node, Tensor
from hwgen.units import FIFO, DataWidthConverter, Port, hardware_nodes, unit_of

MIN_DEPTH = 2


def dma_in_port(g: Graph, tensor: str, axi_bits: int) -> Port:
    t = g.tensors[tensor]
    p = axi_port(t.size, t.dtype, axi_bits)
    return Port(t.size, p["epw"], str(t.dtype))


def source_port(g: Graph, tensor: str, axi_bits: int) -> Port:
    """The word layout ``tensor`` is written with: its unit's output port, or the DMA's."""
    p = g.producer(tensor)
    if p is not None and p.name in {n.name for n in hardware_nodes(g)}:
        return unit_of(p).out_ports()[p.outputs.index(tensor)]
    return dma_in_port(g, tensor, axi_bits)


def accelerator_outputs(g: Graph) -> list[str]:
    """Tensors produced in hardware and read by the host (or by no one: graph outputs)."""
    hw = {n.name for n in hardware_nodes(g)}
    outs = []
    for n in hardware_nodes(g):
        for t in n.outputs:
            readers = g.consumers(t)
            if t in g.outputs or any(c.name not in hw for c in readers):
                outs.append(t)
    return outs


class _Builder:
    def __init__(self, g: Graph):
        self.g = g
        self.tensors: dict[str, Tensor] = {}

    def chain(self, tensor: str, src: Port, dst_epw: int, label: str, final: str | None = None
              ) -> tuple[list[Node], str]:
        """DWC (if the words differ) then FIFO reading ``tensor``; the last one writes ``final``
        (a new tensor by default). Returns the nodes and the tensor the last one writes."""
        t = self.tensors.get(tensor) or self.g.tensors[tensor]  # a tensor this pass made, or the graph's

        def new_tensor(name: str) -> str:
            self.tensors[name] = Tensor(name, t.shape, t.dtype)
            return name

        nodes: list[Node] = []
        cur = tensor
        if src.epw != dst_epw:
            out = new_tensor(f"{final or tensor}__dwc_{label}")
            dwc = DataWidthConverter(name=f"dwc_{label}", elems=src.elems, in_epw=src.epw, out_epw=dst_epw,
                                     dt=src.dtype)
            nodes.append(dwc.to_node((cur,), (out,)))
            cur = out
        out = new_tensor(final or f"{tensor}__fifo_{label}")
        fifo = FIFO(name=f"fifo_{label}", elems=src.elems, epw=dst_epw, dt=src.dtype, depth=MIN_DEPTH)
        nodes.append(fifo.to_node((cur,), (out,)))
        return nodes, out


def insert_stream_nodes(g: Graph, axi_bits: int) -> Graph:
    """``g`` with a FIFO (and a width converter where needed) on every hardware stream.

    Idempotent: a graph already processed (``meta["inserted"]``) is returned unchanged.
    """
    if g.meta.get("inserted"):
        return g
    b = _Builder(g)
    hw = hardware_nodes(g)
    hw_names = {n.name for n in hw}
    out: list[Node] = []
    for n in g.nodes:
        if n.name not in hw_names:
            out.append(n)
            continue
        u = unit_of(n)
        inputs = list(n.inputs)
        for i, t in enumerate(n.inputs):
            label = f"{n.name}_in{i}" if len(n.inputs) > 1 else n.name
            nodes, last = b.chain(t, source_port(g, t, axi_bits), u.in_ports()[i].epw, label)
            out.extend(nodes)
            inputs[i] = last
        out.append(n.evolve(inputs=tuple(inputs)))
    # toward the output DMA: the producer writes a new tensor, the converter/FIFO chain ends in
    # the original name, so host readers and graph outputs keep their tensors
    for t in accelerator_outputs(g):
        i = next(i for i, m in enumerate(out) if t in m.outputs)
        p = out[i]
        src = unit_of(p).out_ports()[p.outputs.index(t)]
        raw = f"{t}__{p.name}_raw"
        b.tensors[raw] = Tensor(raw, g.tensors[t].shape, g.tensors[t].dtype)
        tensor = g.tensors[t]
        out[i] = p.evolve(outputs=tuple(raw if x == t else x for x in p.outputs))
        nodes, _ = b.chain(raw, src, axi_port(tensor.size, tensor.dtype, axi_bits)["epw"], f"{p.name}_out", final=t)
        out[i + 1:i + 1] = nodes
    g2 = g.with_nodes(out, {**g.tensors, **b.tensors})
    return g2.evolve(meta={**g2.meta, "inserted": True})


@step("insert")
def _insert_step(state: FlowState) -> FlowState:
    board = state.options["board"]
    return state.with_stage("inserted", insert_stream_nodes(state.graph, board.axi_port_bits))
