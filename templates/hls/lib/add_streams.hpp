// AddStreams: element-wise integer add of two streams, out = (a << SA) + (b << SB).
//
// Stream protocol: WORDS words of PE elements on each input (same NHWC order), WORDS words of
// PE (wider) elements out. The shifts align two power-of-two scales (DESIGN §3). One word of
// each input in and one word out per iteration (II=1).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned WORDS, unsigned PE, class TA, class TB, class TO, unsigned SA, unsigned SB>
void add_streams(hls::stream<ap_uint<PE * Width<TA>::value> > &a, hls::stream<ap_uint<PE * Width<TB>::value> > &b,
                 hls::stream<ap_uint<PE * Width<TO>::value> > &out) {
    const int OB = Width<TO>::value;
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * Width<TA>::value> wa = a.read();
        ap_uint<PE * Width<TB>::value> wb = b.read();
        ap_uint<PE * OB> y = 0;
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            TO va = TO(elem<TA>(wa, p)) << SA;
            TO vb = TO(elem<TB>(wb, p)) << SB;
            set_elem<OB>(y, p, TO(va + vb));
        }
        out.write(y);
    }
}

}  // namespace hwgen
