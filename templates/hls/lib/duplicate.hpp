// DuplicateStreams: fork one stream to 2..4 consumers.
//
// Stream protocol: WORDS words of W bits per frame in; the same words out on every output, in
// order. One read and one write per output in every iteration (II=1): a frame takes WORDS
// cycles, and a full output FIFO stalls all outputs (the FIFOs behind it absorb branch skew).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned WORDS, int W>
void duplicate(hls::stream<ap_uint<W> > &in, hls::stream<ap_uint<W> > &o0, hls::stream<ap_uint<W> > &o1) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<W> w = in.read();
        o0.write(w);
        o1.write(w);
    }
}

template <unsigned WORDS, int W>
void duplicate(hls::stream<ap_uint<W> > &in, hls::stream<ap_uint<W> > &o0, hls::stream<ap_uint<W> > &o1,
               hls::stream<ap_uint<W> > &o2) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<W> w = in.read();
        o0.write(w);
        o1.write(w);
        o2.write(w);
    }
}

template <unsigned WORDS, int W>
void duplicate(hls::stream<ap_uint<W> > &in, hls::stream<ap_uint<W> > &o0, hls::stream<ap_uint<W> > &o1,
               hls::stream<ap_uint<W> > &o2, hls::stream<ap_uint<W> > &o3) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<W> w = in.read();
        o0.write(w);
        o1.write(w);
        o2.write(w);
        o3.write(w);
    }
}

}  // namespace hwgen
