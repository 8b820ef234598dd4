// hwgen HLS library: shared helpers (element packing, parameter words).
//
// Every stream between units carries words of N packed elements: element i of a word sits in
// bits [i*B, (i+1)*B) (element 0 in the least significant bits); signed elements are stored as
// their two's complement bits. The order of elements across words is the NHWC order of the
// tensor, so a stream is just the flattened tensor cut into N-element words.
#pragma once

// Streams between units may be up to 4096 bits wide (hwgen.cost.MAX_STREAM_BITS); ap_int's
// default limit is 1024. Defined before ap_int.h is first included.
#ifndef AP_INT_MAX_W
#define AP_INT_MAX_W 4096
#endif

#include <stdint.h>
#include "ap_int.h"
#include "hls_stream.h"

// Counters for C-simulation tests of the cycle formulas (hwgen/units/*.py cycles() and
// loop_entries()): with HWGEN_COUNT_ITERATIONS defined, every iteration of a pipelined loop of the
// library counts one iteration, and every entry into one counts one loop (a pipeline fill + drain).
#if defined(HWGEN_COUNT_ITERATIONS) && !defined(__SYNTHESIS__)
namespace hwgen {
extern unsigned long iterations, loops;
}
#define HWGEN_COUNT_ITERATION() (++::hwgen::iterations)
#define HWGEN_COUNT_LOOP() (++::hwgen::loops)
#else
#define HWGEN_COUNT_ITERATION() ((void)0)
#define HWGEN_COUNT_LOOP() ((void)0)
#endif

namespace hwgen {

// Bit width of an element type (ap_int<W> / ap_uint<W>).
template <class T> struct Width;
template <int W> struct Width<ap_uint<W> > { static const int value = W; };
template <int W> struct Width<ap_int<W> > { static const int value = W; };

// Element i of a packed word, as type T (sign bits reinterpreted for ap_int).
template <class T, int WORD>
inline T elem(const ap_uint<WORD> &word, unsigned i) {
#pragma HLS INLINE
    const int B = Width<T>::value;
    ap_uint<B> raw = word.range(i * B + B - 1, i * B);
    T v;
    v.range(B - 1, 0) = raw;
    return v;
}

// Store v (any integer) as element i (B bits) of a packed word.
template <int B, int WORD, class V>
inline void set_elem(ap_uint<WORD> &word, unsigned i, const V &v) {
#pragma HLS INLINE
    ap_uint<B> raw = v;
    word.range(i * B + B - 1, i * B) = raw;
}

// Parameter words in params.hpp are plain C integers (fast to compile, exact ROM contents):
// words of up to 64 bits are one uint8/16/32/64_t; wider words are L little-endian uint64 limbs.
template <int B>
inline ap_uint<B> load_word(uint64_t v) {
#pragma HLS INLINE
    return ap_uint<B>(v);
}
template <int B, unsigned L>
inline ap_uint<B> load_word(const uint64_t (&limbs)[L]) {
#pragma HLS INLINE
    ap_uint<64 * L> w = 0;
    for (unsigned l = 0; l < L; l++) {
#pragma HLS UNROLL
        w.range(64 * l + 63, 64 * l) = limbs[l];
    }
    return ap_uint<B>(w);
}

// Number of 1 bits of v. C-simulation uses the host's popcount on 64-bit chunks (fast);
// synthesis sees an adder tree over the bits.
template <int N>
inline unsigned popcount(const ap_uint<N> &v) {
#pragma HLS INLINE
#ifndef __SYNTHESIS__
    unsigned c = 0;
    for (int lo = 0; lo < N; lo += 64) {
        const int hi = (lo + 63 < N - 1) ? lo + 63 : N - 1;
        c += __builtin_popcountll(v.range(hi, lo).to_uint64());
    }
    return c;
#else
    unsigned c = 0;
    for (int i = 0; i < N; i++) {
#pragma HLS UNROLL
        c += v[i];
    }
    return c;
#endif
}

// Number of thresholds T[0..N) (ascending) that x reaches: the multi-threshold activation.
template <unsigned N, class A, class T>
inline unsigned count_reached(const A &x, const T (&thr)[N]) {
#pragma HLS INLINE
    unsigned c = 0;
    for (unsigned j = 0; j < N; j++) {
#pragma HLS UNROLL
        c += (x >= thr[j]) ? 1 : 0;
    }
    return c;
}

// Element-wise sum of two packed words of PE elements: TO(prev[p]) + TO(x[p]), or TO(x[p]) alone
// when `fresh` (the first addend of a window or frame).
template <unsigned PE, class TO, class TX, int PW, int XW>
inline ap_uint<PW> add_words(bool fresh, const ap_uint<PW> &prev, const ap_uint<XW> &x) {
#pragma HLS INLINE
    ap_uint<PW> next = 0;
    for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
        TO s = (fresh ? TO(0) : elem<TO>(prev, p)) + TO(elem<TX>(x, p));
        set_elem<Width<TO>::value>(next, p, s);
    }
    return next;
}

// Read-modify-write buffers (a sum read back some iterations after it is written: a true
// loop-carried dependence). A memory's read-modify-write takes up to RMW_DISTANCE cycles in
// the pipeline (read latency, the add, the write), so a memory-backed buffer declares a true RAW
// dependence at distance RMW_DISTANCE (UG1399 "pragma HLS dependence": the schedule then keeps
// the write of iteration i ahead of the read of i + RMW_DISTANCE) and is only used where the
// real distance is at least that; a closer one is kept in registers, where the read-add-write
// loop is one cycle. hwgen.units.hls_memory.RMW_DISTANCE is the same number.
static const unsigned RMW_DISTANCE = 4;

}  // namespace hwgen

namespace hwgen {
// Placeholder threshold array for units without an activation (NT == 0; never read).
static const int8_t no_thresholds[1][1][1] = {{{0}}};
}  // namespace hwgen
