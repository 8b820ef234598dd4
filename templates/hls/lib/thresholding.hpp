// Thresholding: standalone multi-threshold activation, out = BASE + STEP * #(x >= T[c][j]).
//
// Stream protocol: PIXELS*C elements in NHWC order as words of PE channels in, the same number
// of (narrower) elements out as words of PE. Folding: PE channels per cycle; channel c = cf*PE+p
// reads thresholds[p][cf][0..NT).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned C, unsigned PIXELS, unsigned PE, class TI, class TO, unsigned NT, int BASE,
          int STEP, class TArr>
void thresholding(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
                  hls::stream<ap_uint<PE * Width<TO>::value> > &out, const TArr &thresholds) {
    // inlined into the layer's wrapper, where the parameter arrays and their pragmas live
#pragma HLS INLINE
    const unsigned CF = C / PE;
    const int OB = Width<TO>::value;
    static_assert(C % PE == 0, "PE must divide the channel count");
    unsigned cf = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < PIXELS * CF; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<PE * Width<TI>::value> x = in.read();
        ap_uint<PE * OB> y = 0;
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            unsigned c = count_reached(elem<TI>(x, p), thresholds[p][cf]);
            set_elem<OB>(y, p, TO(BASE + STEP * int(c)));
        }
        out.write(y);
        cf = (cf == CF - 1) ? 0 : cf + 1;
    }
}

}  // namespace hwgen
