"""Width converters (templates/hls/lib/dwc.hpp) at the 4,096-bit edge: g++-compiled, element
order kept exactly, iterations = TOTAL / min(IN, OUT); a word above 4,096 bits does not compile;
codegen chains two converters for a ratio that is not an integer."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from codegen_helpers import needs_cxx

from hwgen.backends.hls.codegen import LIB_DIR
from hwgen.backends.hls.csim import ap_types_dir, find_cxx
from hwgen.units import DataWidthConverter

HARNESS = r"""
#define HWGEN_COUNT_ITERATIONS
#include <cstdio>
#include "dwc.hpp"
unsigned long hwgen::iterations = 0, hwgen::loops = 0;
// reads TOTAL 2-bit codes (one per line) from stdin, converts IN -> OUT elements per word, prints them
int main() {
    const unsigned IN = %(IN)d, OUT = %(OUT)d, TOTAL = %(TOTAL)d;
    const int B = 2;
    static unsigned codes[TOTAL];
    for (unsigned i = 0; i < TOTAL; i++) if (scanf("%%u", &codes[i]) != 1) return 2;
    hls::stream<ap_uint<IN * B> > in("in");
    hls::stream<ap_uint<OUT * B> > out("out");
    for (unsigned w = 0; w < TOTAL / IN; w++) {
        ap_uint<IN * B> word = 0;
        for (unsigned e = 0; e < IN; e++) hwgen::set_elem<B>(word, e, ap_uint<B>(codes[w * IN + e]));
        in.write(word);
    }
    hwgen::dwc<IN, OUT, TOTAL, B>(in, out);
    if (!in.empty() || out.size() != TOTAL / OUT) return 3;
    for (unsigned w = 0; w < TOTAL / OUT; w++) {
        ap_uint<OUT * B> word = out.read();
        for (unsigned e = 0; e < OUT; e++) printf("%%u\n", hwgen::elem<ap_uint<B> >(word, e).to_uint());
    }
    fprintf(stderr, "iterations %%lu\n", hwgen::iterations);
    return 0;
}
"""


def _build(tmp_path, n_in: int, n_out: int, total: int) -> subprocess.CompletedProcess:
    src = tmp_path / f"dwc_{n_in}_{n_out}.cpp"
    src.write_text(HARNESS % {"IN": n_in, "OUT": n_out, "TOTAL": total})
    exe = tmp_path / src.stem
    return subprocess.run([find_cxx(), "-std=c++14", "-O1", "-I", str(LIB_DIR), "-I", str(ap_types_dir()),
                           str(src), "-o", str(exe)], capture_output=True, text=True)


@needs_cxx
@pytest.mark.parametrize("n_in,n_out", [(2048, 64), (64, 2048), (2048, 1), (1, 2048)])
def test_converter_at_the_4096_bit_edge(tmp_path, n_in, n_out):
    total = 2 * 2048  # two 4,096-bit words of 2-bit codes per frame
    r = _build(tmp_path, n_in, n_out, total)
    assert r.returncode == 0, r.stderr[-2000:]
    codes = np.random.default_rng(n_in).integers(0, 4, total)
    run = subprocess.run([str(tmp_path / f"dwc_{n_in}_{n_out}")], input="\n".join(map(str, codes)),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert np.array_equal(np.array(run.stdout.split(), dtype=np.int64), codes)
    assert run.stderr.strip() == f"iterations {total // min(n_in, n_out)}"  # one read or write per cycle


@needs_cxx
def test_converter_word_above_4096_bits_does_not_compile(tmp_path):
    r = _build(tmp_path, 2049, 1, 2049)
    assert r.returncode != 0 and "stream words are at most 4096 bits" in r.stderr


def _dwc(a: int, b: int, elems: int, dt: str) -> DataWidthConverter:
    return DataWidthConverter(name="c", elems=elems, in_epw=a, out_epw=b, dt=dt)


def test_non_integer_ratio_goes_through_lcm_or_gcd():
    assert _dwc(4, 2, 8, "int8").stages() == [(4, 2)] and _dwc(2, 8, 8, "int8").stages() == [(2, 8)]
    c = _dwc(2, 5, 20, "int5")  # lcm: 50-bit words, TOTAL/2 cycles as for an integer ratio
    assert c.stages() == [(2, 10), (10, 5)] and c.cycles() == 10 and c.context()["func"] == "dwc_chain"
    assert c.context()["targs"] == [2, 10, 5, 20, 5]
    g = _dwc(1536, 1024, 3072, "int2")  # lcm 3072 x 2 bits > 4096: gcd 512, TOTAL/512 cycles
    assert g.stages() == [(1536, 512), (512, 1024)] and g.cycles() == 6
