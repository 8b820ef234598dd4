// AveragePool: integer sums of non-overlapping KH x KW windows (stride = kernel, no padding;
// rows/columns past the last whole window are read and dropped). The division and the
// requantizer fold into the next unit's thresholds.
//
// Stream protocol: IH*IW*C elements in NHWC order as words of PE channels in; OH*OW*C sums out,
// words of PE. One word read per iteration (II=1), IH*IW*C/PE cycles per frame; a window's sum
// is written in the iteration that reads its last element.
// Buffers, both read-modify-written (a loop-carried dependence, RMW_DISTANCE in common.hpp):
// - hsum: the horizontal partial sum of each of the CF = C/PE channel words, read again CF
//   iterations after it is written (registers when CF < RMW_DISTANCE);
// - row: the vertical partial sums of one output row (OW*CF words), read again IW*CF
//   iterations after it is written (registers when IW*CF < RMW_DISTANCE).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned PE, class TI, class TO>
void avg_pool(hls::stream<ap_uint<PE * Width<TI>::value> > &in, hls::stream<ap_uint<PE * Width<TO>::value> > &out) {
    static_assert(C % PE == 0, "PE must divide the channel count");
    const unsigned CF = C / PE, OH = IH / KH, OW = IW / KW;
    const int OB = Width<TO>::value;
    typedef ap_uint<PE * OB> Word;
    // hsum: registers when CF < RMW_DISTANCE, else a memory (common.hpp, read-modify-write)
    const bool HREG = CF < RMW_DISTANCE, RREG = IW * CF < RMW_DISTANCE;
    Word hsum_r[RMW_DISTANCE];
#pragma HLS ARRAY_PARTITION variable=hsum_r complete
    Word hsum_m[HREG ? 1 : CF];
#pragma HLS DEPENDENCE variable=hsum_m inter RAW distance=4 true
    // row: the same rule at distance IW*CF
    Word row_r[RREG ? OW * CF : 1];
#pragma HLS ARRAY_PARTITION variable=row_r complete
    Word row_m[RREG ? 1 : OW * CF];
#pragma HLS DEPENDENCE variable=row_m inter RAW distance=4 true
    unsigned y = 0, ky = 0, x = 0, kx = 0, ox = 0, cf = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < IH * IW * CF; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<PE * Width<TI>::value> w = in.read();
        if (y < OH * KH && x < OW * KW) {
            const unsigned r = ox * CF + cf;
            Word h = add_words<PE, TO, TI>(kx == 0, HREG ? hsum_r[cf % RMW_DISTANCE] : hsum_m[cf], w);
            if (kx < KW - 1) {
                if (HREG) hsum_r[cf % RMW_DISTANCE] = h; else hsum_m[cf] = h;
            } else {
                Word v = add_words<PE, TO, TO>(ky == 0, RREG ? row_r[r % (OW * CF)] : row_m[r], h);
                if (ky == KH - 1)
                    out.write(v);
                else if (RREG)
                    row_r[r % (OW * CF)] = v;
                else
                    row_m[r] = v;
            }
        }
        // advance (cf, x, y) with the window coordinates (kx, ox, ky) alongside
        if (++cf == CF) {
            cf = 0;
            if (++kx == KW) { kx = 0; ox++; }
            if (++x == IW) {
                x = 0; kx = 0; ox = 0;
                y++;
                if (++ky == KH) ky = 0;
            }
        }
    }
}

}  // namespace hwgen
