// GlobalAveragePool: the integer sum of every channel over the PIXELS pixels of a frame. The
// division and the requantizer fold into the next unit's thresholds.
//
// Stream protocol: PIXELS*C elements in NHWC order as words of PE channels in; C sums out as
// words of PE, written while the last pixel is read. One word read per iteration (II=1):
// PIXELS*C/PE cycles per frame. Buffer: C/PE running sums, read again C/PE iterations after
// they are written (a loop-carried dependence; registers when C/PE < RMW_DISTANCE, common.hpp).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned PIXELS, unsigned C, unsigned PE, class TI, class TO>
void global_avg_pool(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
                     hls::stream<ap_uint<PE * Width<TO>::value> > &out) {
    static_assert(C % PE == 0, "PE must divide the channel count");
    const unsigned CF = C / PE;
    const int OB = Width<TO>::value;
    typedef ap_uint<PE * OB> Word;
    const bool AREG = CF < RMW_DISTANCE;
    Word acc_r[RMW_DISTANCE];
#pragma HLS ARRAY_PARTITION variable=acc_r complete
    Word acc_m[AREG ? 1 : CF];
#pragma HLS DEPENDENCE variable=acc_m inter RAW distance=4 true
    unsigned px = 0, cf = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < PIXELS * CF; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<PE * Width<TI>::value> w = in.read();
        Word next = add_words<PE, TO, TI>(px == 0, AREG ? acc_r[cf % RMW_DISTANCE] : acc_m[cf], w);
        if (px == PIXELS - 1)
            out.write(next);
        else if (AREG)
            acc_r[cf % RMW_DISTANCE] = next;
        else
            acc_m[cf] = next;
        if (++cf == CF) { cf = 0; px++; }
    }
}

}  // namespace hwgen
