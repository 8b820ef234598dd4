// SlidingWindow: im2col on a stream, for the MVAU that follows.
//
// Stream protocol: per frame, IH*IW*C input elements arrive in NHWC order as words of SIMD
// channels; OH*OW windows leave, each as KH*KW*C/SIMD words in (kh, kw, c) order, which is the
// column order of the MVAU's weight matrix. Positions in the padding (PT, PL, and the bottom/right
// implied by OH, OW) emit PAD_CODE in every element (the hardware code of the pad value, e.g.
// bit 0 for -1).
// Folding: SIMD channels per word (SIMD | C); one word in and one word out per cycle.
// Buffering: a ring of KH + SH input rows (not the frame). While output row oy is emitted, the
// SH rows output row oy+1 needs are read into the ring's free rows, so reading and writing
// overlap: a frame takes about max(IH*IW*C, OH*OW*KH*KW*C)/SIMD cycles plus the first rows.
#pragma once

#include "ring.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, class TI, int PAD_CODE>
void sliding_window(hls::stream<ap_uint<SIMD * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
    static_assert(C % SIMD == 0, "SIMD must divide the channel count");
    const unsigned CF = C / SIMD;
    const unsigned R = KH + SH;           // ring rows
    const unsigned ROW = IW * CF;         // words per input row
    const unsigned E = OW * KH * KW * CF; // words out per output row
    const int B = Width<TI>::value;
    ap_uint<SIMD * B> ring[R][ROW];
#pragma HLS DEPENDENCE variable=ring inter false
    ap_uint<SIMD * B> pad = 0;
    for (unsigned s = 0; s < SIMD; s++) set_elem<B>(pad, s, ap_int<B + 1>(PAD_CODE));

    int have = ring_fill<IH, KH, SH, PT, ROW, R>(in, ring);  // rows 0..have are in the ring
    for (unsigned oy = 0; oy < OH; oy++) {
        int target = ring_target<IH, KH, SH, PT, OH>(oy);
        unsigned reads = unsigned(target - have) * ROW;
        unsigned iters = E > reads ? E : reads;
        unsigned ox = 0, ky = 0, kx = 0, cf = 0;  // next word out
        unsigned ry = unsigned(have + 1), rx = 0;  // next word in
        for (unsigned it = 0; it < iters; it++) {
#pragma HLS PIPELINE II=1
            if (it < E) {
                int y = int(oy * SH + ky) - int(PT);
                int x = int(ox * SW + kx) - int(PL);
                bool inside = y >= 0 && y < int(IH) && x >= 0 && x < int(IW);
                out.write(inside ? ring[unsigned(y) % R][unsigned(x) * CF + cf] : pad);
                if (++cf == CF) {
                    cf = 0;
                    if (++kx == KW) {
                        kx = 0;
                        if (++ky == KH) { ky = 0; ++ox; }
                    }
                }
            }
            if (it < reads) ring_push<ROW, R>(in, ring, ry, rx);
        }
        have = target;
    }
}

}  // namespace hwgen
