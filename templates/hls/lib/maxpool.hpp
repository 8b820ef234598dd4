// StreamingMaxPool: KH x KW max pooling (OR on bits), min pooling (AND on bits) where MINMASK.
//
// Stream protocol: IH*IW*C elements in NHWC order as words of PE channels in; OH*OW*C elements
// out, same word size. Padding and the ragged edge of ceil_mode never win (skipped).
// Folding: PE channels per word (PE | C). Buffering: a ring of KH + SH input rows; while output
// row oy is reduced (one window element per cycle, a word out every KH*KW cycles) the SH rows
// of the next output row are read, so a frame takes about max(IH*IW, OH*OW*KH*KW)*C/PE cycles
// (IH*IW*C/PE for the usual k = s pools).
// min_mask[cf] holds one bit per channel of word cf: 1 = take the minimum.
#pragma once

#include "ring.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned PE, class TI, class MArr>
void maxpool(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
             hls::stream<ap_uint<PE * Width<TI>::value> > &out, const MArr &min_mask) {
    // inlined into the layer's wrapper, where the parameter arrays and their pragmas live
#pragma HLS INLINE
    static_assert(C % PE == 0, "PE must divide the channel count");
    const unsigned CF = C / PE;
    const unsigned R = KH + SH;
    const unsigned ROW = IW * CF;
    const unsigned E = OW * CF * KH * KW;  // reduction steps per output row
    const int B = Width<TI>::value;
    ap_uint<PE * B> ring[R][ROW];
    // one bank per row (UG1399 array_partition): each cycle reads one word (the row multiplexer
    // reads every bank once) and writes one, 1 read + 1 write per bank
#pragma HLS ARRAY_PARTITION variable=ring dim=1 complete
#pragma HLS DEPENDENCE variable=ring inter false
    TI best[PE];
#pragma HLS ARRAY_PARTITION variable=best complete

    int have = ring_fill<IH, KH, SH, PT, ROW, R>(in, ring);
    for (unsigned oy = 0; oy < OH; oy++) {
        int target = ring_target<IH, KH, SH, PT, OH>(oy);
        unsigned reads = unsigned(target - have) * ROW;
        unsigned iters = E > reads ? E : reads;
        unsigned ox = 0, cf = 0, ky = 0, kx = 0;
        bool first = true;
        unsigned ry = unsigned(have + 1), rx = 0;
        HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
        for (unsigned it = 0; it < iters; it++) {
#pragma HLS PIPELINE II=1
            HWGEN_COUNT_ITERATION();
            if (it < E) {
                int y = int(oy * SH + ky) - int(PT);
                int x = int(ox * SW + kx) - int(PL);
                if (y >= 0 && y < int(IH) && x >= 0 && x < int(IW)) {
                    ap_uint<PE * B> w = ring[unsigned(y) % R][unsigned(x) * CF + cf];
                    ap_uint<PE> take_min = load_word<PE>(min_mask[cf]);
                    for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
                        TI v = elem<TI>(w, p);
                        if (first || (take_min[p] ? v < best[p] : v > best[p])) best[p] = v;
                    }
                    first = false;
                }
                if (++kx == KW) {
                    kx = 0;
                    if (++ky == KH) {
                        ky = 0;
                        ap_uint<PE * B> o = 0;
                        for (unsigned p = 0; p < PE; p++) set_elem<B>(o, p, best[p]);
                        out.write(o);
                        first = true;
                        if (++cf == CF) { cf = 0; ++ox; }
                    }
                }
            }
            if (it < reads) ring_push<ROW, R>(in, ring, ry, rx);
        }
        have = target;
    }
}

}  // namespace hwgen
