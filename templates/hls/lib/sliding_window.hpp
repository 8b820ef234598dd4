// SlidingWindow: im2col on a stream, for the MVAU that follows.
//
// Stream protocol: per frame, IH*IW*C input elements arrive in NHWC order as words of SIMD_IN
// channels; OH*OW windows leave, each as KH*KW*C/SIMD words in (kh, kw, c) order, which is the
// column order of the MVAU's weight matrix. Positions in the padding (PT, PL, and the bottom/right
// implied by OH, OW) emit PAD_CODE in every element (the hardware code of the pad value, e.g.
// bit 0 for -1).
// Folding: SIMD elements per output word. Either SIMD = SIMD_IN divides C, or SIMD_IN = C and an
// output word gathers P = SIMD/C whole pixels of a window (the wide form: a layer with few
// channels, an RGB image, feeds its MVAU several pixels per cycle).
//
// Memory accesses per cycle (what makes II = 1 possible, UG1399 "Arrays": a block RAM has two
// ports; a completely partitioned dimension indexed at run time becomes a multiplexer that reads
// every bank once):
// - narrow form (SIMD = SIMD_IN): a ring of KH + SH input rows, one bank per row (dim 1
//   complete). Each cycle reads one word (every row bank once, through the multiplexer) and
//   writes one word: 1 read + 1 write per bank.
// - wide form (P > 1): FINN-style line buffers + register window. KH - 1 line buffers (one
//   array each: a static bank) hold the previous padded rows; a KH x KW register window shifts
//   in one column per input pixel (each line buffer: 1 read + 1 write per cycle, at the same
//   column); a completed window is copied into a register snapshot from which its WW words
//   leave, one per cycle, while the next pixels are shifted in. No array is read twice in a cycle.
// Cycles per frame: hwgen/units/sliding_window.py (ring_cycles / register_window_cycles).
#pragma once

#include "ring.hpp"

namespace hwgen {

// Narrow form: SIMD = SIMD_IN divides C; ring of KH + SH rows.
template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, class TI, int PAD_CODE>
void sliding_window_ring(hls::stream<ap_uint<SIMD * Width<TI>::value> > &in,
                         hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
    const unsigned SIMD_IN = SIMD;
    const unsigned CF = C / SIMD_IN;      // input words per pixel
    const unsigned P = 1;
    const unsigned R = KH + SH;           // ring rows
    const unsigned ROW = IW * CF;         // words per input row
    const unsigned WW = KH * KW * CF / P; // output words per window
    const unsigned E = OW * WW;           // words out per output row
    const int B = Width<TI>::value;
    ap_uint<SIMD_IN * B> ring[R][ROW];
#pragma HLS ARRAY_PARTITION variable=ring dim=1 complete
    // a word written in one iteration is read back at the earliest ROW iterations later
#pragma HLS DEPENDENCE variable=ring inter false
    ap_uint<SIMD_IN * B> pad = 0;
    for (unsigned s = 0; s < SIMD_IN; s++) set_elem<B>(pad, s, ap_int<B + 1>(PAD_CODE));

    int have = ring_fill<IH, KH, SH, PT, ROW, R>(in, ring);  // rows 0..have are in the ring
    for (unsigned oy = 0; oy < OH; oy++) {
        int target = ring_target<IH, KH, SH, PT, OH>(oy);
        unsigned reads = unsigned(target - have) * ROW;
        unsigned iters = E > reads ? E : reads;
        unsigned ox = 0, wi = 0;                   // next word out: pixel ox, word wi of its window
        unsigned ry = unsigned(have + 1), rx = 0;  // next word in
        HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
        for (unsigned it = 0; it < iters; it++) {
#pragma HLS PIPELINE II=1
            HWGEN_COUNT_ITERATION();
            if (it < E) {
                ap_uint<SIMD * B> word = 0;
                for (unsigned p = 0; p < P; p++) {
#pragma HLS UNROLL
                    unsigned blk = wi * P + p;  // input-word block of the window, (kh, kw, cf) order
                    unsigned cf = blk % CF, kx = (blk / CF) % KW, ky = blk / (CF * KW);
                    int y = int(oy * SH + ky) - int(PT);
                    int x = int(ox * SW + kx) - int(PL);
                    bool inside = y >= 0 && y < int(IH) && x >= 0 && x < int(IW);
                    word.range((p + 1) * SIMD_IN * B - 1, p * SIMD_IN * B) =
                        inside ? ring[unsigned(y) % R][unsigned(x) * CF + cf] : pad;
                }
                out.write(word);
                if (++wi == WW) { wi = 0; ++ox; }
            }
            if (it < reads) ring_push<ROW, R>(in, ring, ry, rx);
        }
        have = target;
    }
}

// Wide form: SIMD_IN = C, P = SIMD / C pixels per output word; line buffers + register window.
template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, class TI, int PAD_CODE>
void sliding_window_wide(hls::stream<ap_uint<C * Width<TI>::value> > &in,
                         hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
    const unsigned P = SIMD / C;          // pixels per output word
    const unsigned WW = KH * KW / P;      // output words per window
    // padded rows/columns visited: every input pixel, and every window position
    const unsigned PH = (IH + PT > (OH - 1) * SH + KH) ? IH + PT : (OH - 1) * SH + KH;
    const unsigned PW = (IW + PL > (OW - 1) * SW + KW) ? IW + PL : (OW - 1) * SW + KW;
    const unsigned LB = KH > 1 ? KH - 1 : 1;
    const int B = Width<TI>::value;
    typedef ap_uint<C * B> pix_t;
    pix_t lb[LB][PW];  // lb[k][px]: padded row py-1-k, column px
#pragma HLS ARRAY_PARTITION variable=lb dim=1 complete
    // column px is written in the iteration that reads it, and next read PW >= KW iterations later
#pragma HLS DEPENDENCE variable=lb inter false
    pix_t win[KH][KW], snap[KH][KW];
#pragma HLS ARRAY_PARTITION variable=win dim=0 complete
#pragma HLS ARRAY_PARTITION variable=snap dim=0 complete
    pix_t pad = 0;
    for (unsigned s = 0; s < C; s++) set_elem<B>(pad, s, ap_int<B + 1>(PAD_CODE));

    unsigned py = 0, px = 0, wi = 0, consumed = 0;
    bool busy = false;  // snap holds a window whose words are still leaving
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    while (consumed < PH * PW || busy) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        bool free_after = !busy || wi == WW - 1;  // snap is free for a new window after this cycle
        if (busy) {
            ap_uint<SIMD * B> word = 0;
            for (unsigned p = 0; p < P; p++) {
#pragma HLS UNROLL
                unsigned blk = wi * P + p;
                word.range((p + 1) * C * B - 1, p * C * B) = snap[blk / KW][blk % KW];
            }
            out.write(word);
            if (++wi == WW) {
                wi = 0;
                busy = false;
            }
        }
        if (consumed < PH * PW) {
            bool done = py >= KH - 1 && (py - (KH - 1)) % SH == 0 && (py - (KH - 1)) / SH < OH &&
                        px >= KW - 1 && (px - (KW - 1)) % SW == 0 && (px - (KW - 1)) / SW < OW;
            if (!done || free_after) {
                int y = int(py) - int(PT), x = int(px) - int(PL);
                pix_t v = (y >= 0 && y < int(IH) && x >= 0 && x < int(IW)) ? pix_t(in.read()) : pad;
                pix_t col[KH];
#pragma HLS ARRAY_PARTITION variable=col complete
                col[KH - 1] = v;
                for (unsigned k = 0; k + 1 < KH; k++) {
#pragma HLS UNROLL
                    col[KH - 2 - k] = lb[k][px];  // one read per line buffer
                }
                for (unsigned k = 0; k + 1 < KH; k++) {
#pragma HLS UNROLL
                    lb[k][px] = col[KH - 1 - k];  // one write per line buffer
                }
                for (unsigned ky = 0; ky < KH; ky++) {
#pragma HLS UNROLL
                    for (unsigned kx = 0; kx + 1 < KW; kx++) {
#pragma HLS UNROLL
                        win[ky][kx] = win[ky][kx + 1];
                    }
                    win[ky][KW - 1] = col[ky];
                }
                if (done) {
                    for (unsigned ky = 0; ky < KH; ky++) {
#pragma HLS UNROLL
                        for (unsigned kx = 0; kx < KW; kx++) {
#pragma HLS UNROLL
                            snap[ky][kx] = win[ky][kx];
                        }
                    }
                    busy = true;
                    wi = 0;
                }
                consumed++;
                if (++px == PW) {
                    px = 0;
                    py++;
                }
            }
        }
    }
}

template <bool WIDE> struct sliding_window_form;
template <> struct sliding_window_form<false> {
    template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
              unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, unsigned SIMD_IN,
              class TI, int PAD_CODE>
    static void run(hls::stream<ap_uint<SIMD_IN * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
#pragma HLS INLINE
        sliding_window_ring<IH, IW, C, KH, KW, SH, SW, PT, PL, OH, OW, SIMD, TI, PAD_CODE>(in, out);
    }
};
template <> struct sliding_window_form<true> {
    template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
              unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, unsigned SIMD_IN,
              class TI, int PAD_CODE>
    static void run(hls::stream<ap_uint<SIMD_IN * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
#pragma HLS INLINE
        sliding_window_wide<IH, IW, C, KH, KW, SH, SW, PT, PL, OH, OW, SIMD, TI, PAD_CODE>(in, out);
    }
};

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, unsigned SIMD_IN, class TI,
          int PAD_CODE>
void sliding_window(hls::stream<ap_uint<SIMD_IN * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
#pragma HLS INLINE
    static_assert(C % SIMD_IN == 0 && SIMD % SIMD_IN == 0, "SIMD_IN divides C and SIMD");
    static_assert(SIMD == SIMD_IN || SIMD_IN == C, "wide words gather whole pixels");
    static_assert((KH * KW * C) % SIMD == 0, "a window is a whole number of words");
    sliding_window_form<(SIMD > SIMD_IN)>::template run<IH, IW, C, KH, KW, SH, SW, PT, PL, OH, OW, SIMD,
                                                         SIMD_IN, TI, PAD_CODE>(in, out);
}

}  // namespace hwgen
