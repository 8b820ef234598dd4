// AXI-stream adapters between the top-level ports and the internal element streams.
//
// Top-level words are AXI-stream TDATA: EPW elements packed from bit 0 up (B bits each), the
// word padded with zero bits to AXI bits (a power of two, as the AXI DMA requires). The host
// (driver, testbench, hwgen.core.host_runtime) packs/unpacks with the same layout: flat NHWC
// element order, EPW elements per word, each word AXI/8 little-endian bytes in memory.
//
// The output port carries TLAST (set on the last word of every frame) and TKEEP/TSTRB (all
// ones), the side channels the AXI DMA's S2MM channel needs to close a transfer. In Vitis/Vivado
// HLS it is ap_axiu from ap_axi_sdata.h; the C-simulation headers from hls4ml do not ship that
// header, so an equivalent struct stands in.
#pragma once

#include "common.hpp"

#if defined(__VITIS_HLS__)
#include "ap_axi_sdata.h"
namespace hwgen {
template <int W> struct axis_out_word { typedef ap_axiu<W, 0, 0, 0> type; };
}  // namespace hwgen
#elif defined(__has_include)
#if __has_include("ap_axi_sdata.h")
#include "ap_axi_sdata.h"
#define HWGEN_HAVE_AP_AXIU 1
#endif
#endif

#if !defined(__VITIS_HLS__)
namespace hwgen {
#ifdef HWGEN_HAVE_AP_AXIU
// Vivado HLS: zero-width side channels are not allowed there; the 1-bit TUSER/TID/TDEST are
// driven with 0 (clear_side_channels) so no undefined value reaches the port.
template <int W> struct axis_out_word { typedef ap_axiu<W, 1, 1, 1> type; };
template <int W>
inline void clear_side_channels(ap_axiu<W, 1, 1, 1> &w) {
#pragma HLS INLINE
    w.user = 0;
    w.id = 0;
    w.dest = 0;
}
#else
template <int W> struct axis_word_csim {
    ap_uint<W> data;
    ap_uint<(W + 7) / 8> keep;
    ap_uint<(W + 7) / 8> strb;
    ap_uint<1> last;
};
template <int W> struct axis_out_word { typedef axis_word_csim<W> type; };
#endif
}  // namespace hwgen
#endif

namespace hwgen {

// Words without side channels (Vitis ap_axiu<W, 0, 0, 0>, the C-simulation struct): nothing to clear.
template <class T>
inline void clear_side_channels(T &) {}

// Unpack WORDS AXI words into element words of EPW elements (drops the byte padding).
template <unsigned WORDS, unsigned EPW, int B, int AXI>
void axis_to_stream(hls::stream<ap_uint<AXI> > &in, hls::stream<ap_uint<EPW * B> > &out) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        out.write(ap_uint<EPW * B>(in.read()));
    }
}

// Pack WORDS element words of EPW elements into zero-padded AXI words, TLAST on the last one.
template <unsigned WORDS, unsigned EPW, int B, int AXI>
void stream_to_axis(hls::stream<ap_uint<EPW * B> > &in, hls::stream<typename axis_out_word<AXI>::type> &out) {
    for (unsigned i = 0; i < WORDS; i++) {
#pragma HLS PIPELINE II=1
        typename axis_out_word<AXI>::type w;
        w.data = ap_uint<AXI>(in.read());
        w.keep = -1;
        w.strb = -1;
        w.last = (i == WORDS - 1) ? 1 : 0;
        clear_side_channels(w);
        out.write(w);
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

// Unpack one frame of output words into int32 codes; returns the number of words whose TLAST
// is wrong (set before the last word of the frame, or missing on it).
template <unsigned WORDS, unsigned EPW, int B, int AXI, bool SIGNED>
unsigned unpack_frame(hls::stream<typename axis_out_word<AXI>::type> &in, int32_t *codes) {
    unsigned bad_last = 0;
    for (unsigned i = 0; i < WORDS; i++) {
        typename axis_out_word<AXI>::type t = in.read();
        ap_uint<AXI> w = t.data;
        bad_last += (t.last != ((i == WORDS - 1) ? 1 : 0)) || (t.keep != ap_uint<(AXI + 7) / 8>(-1));
        for (unsigned e = 0; e < EPW; e++) {
            if (SIGNED)
                codes[i * EPW + e] = elem<ap_int<B> >(w, e).to_int();
            else
                codes[i * EPW + e] = elem<ap_uint<B> >(w, e).to_int();
        }
    }
    return bad_last;
}

// Raw words as the DMA moves them: AXI/8 little-endian bytes per word.
template <int AXI>
ap_uint<AXI> word_from_bytes(const uint8_t *bytes) {
    ap_uint<AXI> w = 0;
    for (int b = 0; b < AXI / 8; b++) w.range(8 * b + 7, 8 * b) = bytes[b];
    return w;
}

template <int AXI>
void word_to_bytes(const ap_uint<AXI> &w, uint8_t *bytes) {
    for (int b = 0; b < AXI / 8; b++) bytes[b] = (uint8_t)w.range(8 * b + 7, 8 * b).to_uint();
}

}  // namespace hwgen
