// AXI-stream adapters between the top-level ports and the internal element streams.
//
// Top-level words are AXI-stream TDATA: EPW elements packed from bit 0 up (B bits each), the
// word padded with zero bits to a multiple of 8. The host (driver or testbench) packs/unpacks
// with the same layout: flat NHWC element order, EPW elements per word.
#pragma once

#include "common.hpp"

namespace hwgen {

// Unpack WORDS AXI words into element words of EPW elements (drops the byte padding).
template <unsigned WORDS, unsigned EPW, int B, int AXI>
void axis_to_stream(hls::stream<ap_uint<AXI> > &in, hls::stream<ap_uint<EPW * B> > &out) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        out.write(ap_uint<EPW * B>(in.read()));
    }
}

// Pack WORDS element words of EPW elements into zero-padded AXI words.
template <unsigned WORDS, unsigned EPW, int B, int AXI>
void stream_to_axis(hls::stream<ap_uint<EPW * B> > &in, hls::stream<ap_uint<AXI> > &out) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        out.write(ap_uint<AXI>(in.read()));
    }
}

// Host side (testbench): pack/unpack one frame of int32 codes into/from AXI words.
template <unsigned WORDS, unsigned EPW, int B, int AXI>
void pack_frame(const int32_t *codes, hls::stream<ap_uint<AXI> > &out) {
    for (unsigned i = 0; i < WORDS; i++) {
        ap_uint<AXI> w = 0;
        for (unsigned e = 0; e < EPW; e++) set_elem<B>(w, e, ap_int<33>(codes[i * EPW + e]));
        out.write(w);
    }
}

template <unsigned WORDS, unsigned EPW, int B, int AXI, bool SIGNED>
void unpack_frame(hls::stream<ap_uint<AXI> > &in, int32_t *codes) {
    for (unsigned i = 0; i < WORDS; i++) {
        ap_uint<AXI> w = in.read();
        for (unsigned e = 0; e < EPW; e++) {
            if (SIGNED)
                codes[i * EPW + e] = elem<ap_int<B> >(w, e).to_int();
            else
                codes[i * EPW + e] = elem<ap_uint<B> >(w, e).to_int();
        }
    }
}

}  // namespace hwgen
