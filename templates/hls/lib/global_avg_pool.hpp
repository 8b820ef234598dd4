// GlobalAveragePool: the integer sum of every channel over the PIXELS pixels of a frame. The
// division and the requantizer fold into the next unit's thresholds.
//
// Stream protocol: PIXELS*C elements in NHWC order as words of PE channels in; C sums out as
// words of PE, written while the last pixel is read. One word read per iteration (II=1):
// PIXELS*C/PE cycles per frame. Buffer: C/PE running sums.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned PIXELS, unsigned C, unsigned PE, class TI, class TO>
void global_avg_pool(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
                     hls::stream<ap_uint<PE * Width<TO>::value> > &out) {
    static_assert(C % PE == 0, "PE must divide the channel count");
    const unsigned CF = C / PE;
    const int OB = Width<TO>::value;
    ap_uint<PE * OB> acc[CF];
    unsigned px = 0, cf = 0;
    for (unsigned i = 0; i < PIXELS * CF; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * Width<TI>::value> w = in.read();
        ap_uint<PE * OB> prev = acc[cf], next = 0;
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            TO s = (px == 0 ? TO(0) : elem<TO>(prev, p)) + TO(elem<TI>(w, p));
            set_elem<OB>(next, p, s);
        }
        if (px == PIXELS - 1)
            out.write(next);
        else
            acc[cf] = next;
        if (++cf == CF) { cf = 0; px++; }
    }
}

}  // namespace hwgen
