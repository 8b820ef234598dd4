"""The PYNQ driver against a fake ``pynq`` whose DMA feeds the g++-compiled generated top
function with the exact AXI-stream words: pack -> accelerator -> unpack -> host post-processing
equals the numpy simulator, for both boards' stream widths; the host-op interpreter equals the
simulator on the host nodes."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest
from codegen_helpers import needs_cxx
from fake_pynq import install

from hwgen.backends.board import host_program
from hwgen.core import host_runtime as rt
from hwgen.sim.executor import execute
from hwgen.sim.verify import random_inputs

BOARDS = ["pynq-z1", "zcu104"]


def load_driver(project, monkeypatch, **dma_kw):
    made = install(project.hls, rt.frame_bytes(project.design.in_port),
                   rt.frame_bytes(project.design.out_port), monkeypatch, **dma_kw)
    monkeypatch.syspath_prepend(str(project.root / "driver"))
    for m in ("driver", "host_runtime"):
        sys.modules.pop(m, None)
    drv = importlib.import_module("driver")
    assert drv.rt.__file__.startswith(str(project.root / "driver"))  # the copied runtime, not hwgen's
    return drv, made


def test_pack_unpack_layout():
    port = {"elems": 6, "epw": 3, "words": 2, "bits": 3, "axi": 16, "signed": True}
    codes = np.array([[-1, 2, 1, 0, -4, 3]])
    raw = rt.pack_stream(codes, port)
    # word 0: 0b001_010_111 = 0x57, 0x00; word 1: 0b011_100_000 = 0xE0, 0x00
    assert raw.tolist() == [[0x57, 0x00, 0xE0, 0x00]]
    assert rt.unpack_stream(raw, port).tolist() == codes.tolist()


@needs_cxx
@pytest.mark.parametrize("board", BOARDS)
def test_words_round_trip_equals_simulator(tfc_projects, board):
    from hwgen.backends.hls.csim import run_csim_words

    p = tfc_projects[board]
    d = p.design
    assert d.in_port["axi"] == p.board.axi_port_bits  # 64-bit words on PYNQ-Z1, 128 on ZCU104
    x = random_inputs(tuple(p.graph.tensors[p.graph.inputs[0]].shape), 64, seed=3)
    env = execute(p.graph, x, keep=True)
    raw, _ = run_csim_words(p.hls, rt.pack_stream(env[d.in_tensor].reshape(64, -1), d.in_port),
                            rt.frame_bytes(d.out_port))
    got = rt.unpack_stream(raw, d.out_port)
    assert np.array_equal(got, env[d.out_tensor].reshape(64, -1))


@needs_cxx
@pytest.mark.parametrize("board", BOARDS)
def test_driver_on_fake_pynq_equals_simulator(tfc_projects, monkeypatch, board, capsys):
    p = tfc_projects[board]
    drv, made = load_driver(p, monkeypatch)
    acc = drv.Accelerator()
    acc.max_batch = 7  # several DMA transfers per batch
    x = random_inputs(tuple(p.graph.tensors[p.graph.inputs[0]].shape), 20, seed=5)
    want = execute(p.graph, x)[p.graph.outputs[0]]
    got = acc.predict(x)
    assert got.dtype == want.dtype and np.array_equal(got, want)  # logits, bit for bit
    dma = made["overlays"][0].axi_dma_0
    assert dma.packets == [rt.frame_bytes(p.design.out_port)] * 20  # one TLAST packet per image
    assert np.array_equal(acc.classify(x), np.argmax(want, axis=-1))
    # single image, command line: --check against the simulator's example outputs, --benchmark
    assert acc.predict(x[0]).shape == want[:1].shape
    assert drv.main(["--check", "--benchmark", "--batch", "8", "--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "16 example inputs, outputs equal hwgen's simulator" in out
    assert "images/s (DMA + accelerator)" in out and "single image" in out


@pytest.mark.parametrize("which", ["tfc", "cnv"])
def test_host_interpreter_equals_simulator(tfc_hw, cnv_hw, which):
    from hwgen.backends.hls.design import build_design

    g = tfc_hw if which == "tfc" else cnv_hw
    d = build_design(g, 64)
    cfg, params = host_program(g, d)
    assert [o["op"] for o in cfg["pre"]][-1] == "QuantInt" and cfg["post"][0]["op"] == "Dequant"
    shape = tuple(g.tensors[g.inputs[0]].shape)
    rng = np.random.default_rng(11)
    # random inputs plus every multiple of 1/512 in [0, 1]: rounding ties of the 8-bit quantizer
    grid = (np.arange(int(np.prod(shape)) * 4) % 513 / 512).astype(np.float32).reshape(4, *shape)
    x = np.concatenate([rng.random((60, *shape), dtype=np.float32), grid, -grid])
    env = execute(g, x, keep=True)
    codes = rt.preprocess(cfg, params, x)
    assert np.array_equal(codes, env[d.in_tensor].reshape(len(x), -1))
    assert np.array_equal(rt.unpack_stream(rt.pack_stream(codes, d.in_port), d.in_port), codes)
    outs = rt.postprocess(cfg, params, env[d.out_tensor].reshape(len(x), -1))
    assert np.array_equal(outs[0], env[g.outputs[0]]) and outs[0].dtype == env[g.outputs[0]].dtype


def test_one_host_op_interpreter():
    # the simulator's host-side ops are the driver's: the same function objects, not a copy
    from hwgen.core import host_runtime
    from hwgen.core.ir import Node
    from hwgen.sim import kernels

    assert set(host_runtime.HOST_OPS) <= set(kernels.KERNELS)
    x = np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 12)
    for op, attrs, params in [
        ("QuantInt", {"bipolar": False, "bits": 4, "signed": True, "narrow": False, "rounding_mode": "ROUND"},
         {"scale": np.float32(0.5), "zeropt": np.float32(0)}),
        ("BatchNorm", {"epsilon": 1e-5}, {"mean": np.float32(0.1), "var": np.float32(2.0),
                                          "gamma": np.float32(1.5), "beta": np.float32(-0.2)}),
    ]:
        node = Node(op, "n", ("x",), ("y",), attrs, params)
        ours = kernels.KERNELS[op](node, [x])[0]
        theirs = host_runtime.KERNELS[op](attrs, params, [x])[0]
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    # and QONNX Quant has one implementation: the frontend's code is the runtime's
    from hwgen.frontend import quant

    assert quant.quant_int is host_runtime.quant_code and quant.bipolar_int is host_runtime.bipolar_code


def _inputs(p, n: int, seed: int):
    x = random_inputs(tuple(p.graph.tensors[p.graph.inputs[0]].shape), n, seed=seed)
    return x, execute(p.graph, x)[p.graph.outputs[0]]


@needs_cxx
def test_driver_chunks_and_invalidates_once_per_chunk(tfc_projects, monkeypatch):
    import fake_pynq

    p = tfc_projects["pynq-z1"]
    drv, made = load_driver(p, monkeypatch)
    acc = drv.Accelerator()
    assert acc.max_batch == 1024  # ~1,024 frames per send transfer, whatever the frame size
    x, want = _inputs(p, 1030, seed=8)
    fake_pynq.Buffer.invalidated_bytes = 0
    assert np.array_equal(acc.predict(x), want)
    dma = made["overlays"][0].axi_dma_0
    assert dma.send_calls == 2 and len(dma.packets) == 1030
    # one invalidate per chunk (1024 + 6 frames), not one per frame: PYNQ's wait() per frame
    # would invalidate 1030 x 1024 frames' worth
    assert fake_pynq.Buffer.invalidated_bytes == (1024 + 6) * acc.out_stride


@needs_cxx
def test_fake_dma_rejects_unaligned_receive_and_driver_pads(tfc_projects, monkeypatch):
    import fake_pynq

    p = tfc_projects["pynq-z1"]
    out_bytes = rt.frame_bytes(p.design.out_port)
    align = 2 * out_bytes  # a memory-map width wider than one output frame, no DRE
    drv, made = load_driver(p, monkeypatch, align=align, dre=False)
    # the fake refuses what PYNQ refuses: a receive buffer at a frame offset that is not aligned
    buf = fake_pynq.allocate((4, out_bytes), np.uint8)
    acc = drv.Accelerator()
    ch = made["overlays"][0].axi_dma_0.recvchannel
    with pytest.raises(RuntimeError, match="unaligned"):
        ch.transfer(buf, start=out_bytes, nbytes=out_bytes)
    ch.start()
    acc.cfg["s2mm_align_bytes"] = align
    acc.out_stride = align  # what accel.json's s2mm_align_bytes gives on such a DMA
    x, want = _inputs(p, 9, seed=9)
    assert np.array_equal(acc.predict(x), want)


@needs_cxx
def test_driver_times_out_on_a_hang_and_resets(tfc_projects, monkeypatch):
    p = tfc_projects["pynq-z1"]
    drv, made = load_driver(p, monkeypatch, hang_after=3)
    acc = drv.Accelerator(timeout=0.2)
    x, want = _inputs(p, 8, seed=10)
    with pytest.raises(drv.AcceleratorError, match="no output frame 3 after 0.2 s: the accelerator is stuck"):
        acc.predict(x)
    dma = made["overlays"][0].axi_dma_0
    assert dma.resets == 1 and made["downloads"] == 1
    # the next call starts clean: no stale or shifted frames
    assert np.array_equal(acc.predict(x), want)


@needs_cxx
def test_driver_checks_the_received_length(tfc_projects, monkeypatch):
    p = tfc_projects["pynq-z1"]
    drv, made = load_driver(p, monkeypatch, short_at=2)
    acc = drv.Accelerator(timeout=0.2)
    x, _ = _inputs(p, 5, seed=11)
    n = rt.frame_bytes(p.design.out_port)
    with pytest.raises(drv.AcceleratorError, match=f"output frame 2 has {n - 1} bytes, expected {n}"):
        acc.predict(x)
    assert made["downloads"] == 1


def test_run_sh_uses_the_pynq_venv(tfc_scripts, tmp_path):
    import os
    import subprocess

    run = tfc_scripts["pynq-z1"].root / "driver" / "run.sh"
    assert os.access(run, os.X_OK)
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    fake = venv / "python3"
    fake.write_text('#!/bin/sh\nif [ "$1" = -c ]; then exit 0; fi\necho "venv python: $*"\n')
    fake.chmod(0o755)
    if os.getuid() != 0:
        pytest.skip("run.sh re-executes itself with sudo when not root")
    r = subprocess.run([str(run), "--check"], capture_output=True, text=True,
                       env={**os.environ, "PYNQ_VENV": str(tmp_path / "venv")})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"venv python: {run.parent}/driver.py --check"
    bad = tmp_path / "nopynq"
    bad.mkdir()
    r = subprocess.run([str(run)], capture_output=True, text=True,
                       env={**os.environ, "PYNQ_VENV": str(bad), "PYNQ_PYTHON": "/bin/false"})
    assert r.returncode == 1 and "cannot import pynq" in r.stderr
