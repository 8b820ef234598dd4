// AveragePool: integer sums of non-overlapping KH x KW windows (stride = kernel, no padding;
// rows/columns past the last whole window are read and dropped). The division and the
// requantizer fold into the next unit's thresholds.
//
// Stream protocol: IH*IW*C elements in NHWC order as words of PE channels in; OH*OW*C sums out,
// words of PE. One word read per iteration (II=1), IH*IW*C/PE cycles per frame; a window's sum
// is written in the iteration that reads its last element. Buffer: one row of OW*C/PE partial
// sums (read-modify-write at distance C/PE iterations).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned PE, class TI, class TO>
void avg_pool(hls::stream<ap_uint<PE * Width<TI>::value> > &in, hls::stream<ap_uint<PE * Width<TO>::value> > &out) {
    static_assert(C % PE == 0, "PE must divide the channel count");
    const unsigned CF = C / PE, OH = IH / KH, OW = IW / KW;
    const int OB = Width<TO>::value;
    ap_uint<PE * OB> row[OW * CF];
    unsigned y = 0, ky = 0, x = 0, kx = 0, ox = 0, cf = 0;
    for (unsigned i = 0; i < IH * IW * CF; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * Width<TI>::value> w = in.read();
        if (y < OH * KH && x < OW * KW) {
            const bool first = ky == 0 && kx == 0;
            ap_uint<PE * OB> prev = row[ox * CF + cf], next = 0;
            for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
                TO s = (first ? TO(0) : elem<TO>(prev, p)) + TO(elem<TI>(w, p));
                set_elem<OB>(next, p, s);
            }
            if (ky == KH - 1 && kx == KW - 1)
                out.write(next);
            else
                row[ox * CF + cf] = next;
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
