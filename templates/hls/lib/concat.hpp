// StreamingConcat: channel concatenation of 2..4 streams (NHWC).
//
// Stream protocol: input i carries PIXELS * Wi words of W bits (Wi = C_i / PE); per pixel the
// output gets input 0's Wi words, then input 1's, ... One word read and one written per
// iteration (II=1): PIXELS * sum(Wi) cycles per frame.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned PIXELS, int W, unsigned W0, unsigned W1>
void concat(hls::stream<ap_uint<W> > &i0, hls::stream<ap_uint<W> > &i1, hls::stream<ap_uint<W> > &out) {
    unsigned j = 0;
    for (unsigned i = 0; i < PIXELS * (W0 + W1); i++) {
#pragma HLS PIPELINE II=1
        out.write(j < W0 ? i0.read() : i1.read());
        j = (j == W0 + W1 - 1) ? 0 : j + 1;
    }
}

template <unsigned PIXELS, int W, unsigned W0, unsigned W1, unsigned W2>
void concat(hls::stream<ap_uint<W> > &i0, hls::stream<ap_uint<W> > &i1, hls::stream<ap_uint<W> > &i2,
            hls::stream<ap_uint<W> > &out) {
    unsigned j = 0;
    for (unsigned i = 0; i < PIXELS * (W0 + W1 + W2); i++) {
#pragma HLS PIPELINE II=1
        out.write(j < W0 ? i0.read() : j < W0 + W1 ? i1.read() : i2.read());
        j = (j == W0 + W1 + W2 - 1) ? 0 : j + 1;
    }
}

template <unsigned PIXELS, int W, unsigned W0, unsigned W1, unsigned W2, unsigned W3>
void concat(hls::stream<ap_uint<W> > &i0, hls::stream<ap_uint<W> > &i1, hls::stream<ap_uint<W> > &i2,
            hls::stream<ap_uint<W> > &i3, hls::stream<ap_uint<W> > &out) {
    unsigned j = 0;
    for (unsigned i = 0; i < PIXELS * (W0 + W1 + W2 + W3); i++) {
#pragma HLS PIPELINE II=1
        out.write(j < W0 ? i0.read() : j < W0 + W1 ? i1.read() : j < W0 + W1 + W2 ? i2.read() : i3.read());
        j = (j == W0 + W1 + W2 + W3 - 1) ? 0 : j + 1;
    }
}

}  // namespace hwgen
