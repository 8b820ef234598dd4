// DataWidthConverter: re-cut a stream of IN-element words into OUT-element words.
//
// Stream protocol: TOTAL elements of B bits per frame (IN | TOTAL and OUT | TOTAL); element order
// is kept. Inserted by codegen wherever a producer's word (PE) differs from the consumer's
// (SIMD). A shift register of IN + OUT elements holds the pending elements; each cycle either
// reads one input word (when fewer than OUT elements wait) or writes one output word.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
void dwc(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
    static_assert(TOTAL % IN == 0 && TOTAL % OUT == 0, "word sizes must divide the frame");
    ap_uint<(IN + OUT) * B> pending = 0;
    unsigned have = 0;
    for (unsigned i = 0; i < TOTAL / IN + TOTAL / OUT; i++) {
#pragma HLS PIPELINE II=1
        if (have >= OUT) {
            out.write(ap_uint<OUT * B>(pending));
            pending >>= OUT * B;
            have -= OUT;
        } else {
            ap_uint<(IN + OUT) * B> w = in.read();
            pending |= w << (have * B);
            have += IN;
        }
    }
}

}  // namespace hwgen
