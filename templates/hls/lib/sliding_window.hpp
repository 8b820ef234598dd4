// SlidingWindow: im2col on a stream, for the MVAU that follows.
//
// Stream protocol: per frame, IH*IW*C input elements arrive in NHWC order as words of SIMD_IN
// channels; OH*OW windows leave, each as KH*KW*C/SIMD words in (kh, kw, c) order, which is the
// column order of the MVAU's weight matrix. Positions in the padding (PT, PL, and the bottom/right
// implied by OH, OW) emit PAD_CODE in every element (the hardware code of the pad value, e.g.
// bit 0 for -1).
// Folding: SIMD elements per output word. Either SIMD = SIMD_IN divides C, or SIMD_IN = C and an
// output word gathers SIMD/C whole pixels of a window row (or whole window rows): the wide form
// lets a layer with few channels (an RGB image) feed its MVAU a whole window row per cycle.
// Buffering: a ring of KH + SH input rows (not the frame), split into SIMD/SIMD_IN banks for the
// wide form. While output row oy is emitted, the SH rows output row oy+1 needs are read into the
// ring's free rows, so a frame takes about max(IH*IW*C/SIMD_IN, OH*OW*KH*KW*C/SIMD) cycles plus
// the first rows.
#pragma once

#include "ring.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, unsigned SIMD_IN, class TI,
          int PAD_CODE>
void sliding_window(hls::stream<ap_uint<SIMD_IN * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
    static_assert(C % SIMD_IN == 0 && SIMD % SIMD_IN == 0, "SIMD_IN divides C and SIMD");
    static_assert(SIMD == SIMD_IN || SIMD_IN == C, "wide words gather whole pixels");
    static_assert((KH * KW * C) % SIMD == 0, "a window is a whole number of words");
    const unsigned CF = C / SIMD_IN;      // input words per pixel
    const unsigned P = SIMD / SIMD_IN;    // input words gathered into one output word
    const unsigned R = KH + SH;           // ring rows
    const unsigned ROW = IW * CF;         // words per input row
    const unsigned WW = KH * KW * CF / P; // output words per window
    const unsigned E = OW * WW;           // words out per output row
    const int B = Width<TI>::value;
    ap_uint<SIMD_IN * B> ring[R][ROW];
#pragma HLS ARRAY_PARTITION variable=ring dim=1 complete
#pragma HLS ARRAY_PARTITION variable=ring dim=2 cyclic factor=P
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
        for (unsigned it = 0; it < iters; it++) {
#pragma HLS PIPELINE II=1
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

}  // namespace hwgen
