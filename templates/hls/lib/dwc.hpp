// DataWidthConverter: re-cut a stream of IN-element words into OUT-element words.
//
// Stream protocol: TOTAL elements of B bits per frame (IN | TOTAL and OUT | TOTAL); element order
// is kept. Inserted wherever a producer's word (PE) differs from the consumer's (SIMD).
// Integer ratios only, each one read or one write per cycle with no shifter wider than the wide
// side (FINN's StreamingDataWidthConverter_Batch does the same):
// - down (IN = R * OUT): TOTAL / OUT cycles; a word is read every R-th cycle, one written each cycle;
// - up   (OUT = R * IN): TOTAL / IN cycles; a word is read each cycle, one written every R-th cycle.
// A ratio that is not an integer is two converters through an intermediate width (codegen picks
// lcm(IN, OUT) when lcm * B <= 4096, else gcd(IN, OUT)).
// Every internal word is one of the two stream words: at most 4096 bits (Vitis HLS's ap_int limit).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
void dwc_down(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
    static_assert(IN % OUT == 0 && TOTAL % IN == 0, "down-converter: OUT divides IN divides TOTAL");
    static_assert(IN * B <= 4096, "stream words are at most 4096 bits");
    const unsigned R = IN / OUT;
    ap_uint<IN * B> buf = 0;
    unsigned k = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < TOTAL / OUT; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        if (k == 0) buf = in.read();
        out.write(ap_uint<OUT * B>(buf));
        buf >>= OUT * B;
        k = (k == R - 1) ? 0 : k + 1;
    }
}

template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
void dwc_up(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
    static_assert(OUT % IN == 0 && TOTAL % OUT == 0, "up-converter: IN divides OUT divides TOTAL");
    static_assert(OUT * B <= 4096, "stream words are at most 4096 bits");
    const unsigned R = OUT / IN;
    ap_uint<OUT * B> buf = 0;
    unsigned k = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < TOTAL / IN; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        // the new word enters at the top; after R reads the first one has reached the bottom
        buf = (buf >> (IN * B)) | (ap_uint<OUT * B>(in.read()) << ((R - 1) * IN * B));
        if (k == R - 1) out.write(buf);
        k = (k == R - 1) ? 0 : k + 1;
    }
}

template <bool DOWN> struct dwc_direction;
template <> struct dwc_direction<true> {
    template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
    static void run(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
#pragma HLS INLINE
        dwc_down<IN, OUT, TOTAL, B>(in, out);
    }
};
template <> struct dwc_direction<false> {
    template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
    static void run(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
#pragma HLS INLINE
        dwc_up<IN, OUT, TOTAL, B>(in, out);
    }
};

// One integer-ratio conversion, direction chosen at compile time.
template <unsigned IN, unsigned OUT, unsigned TOTAL, int B>
void dwc(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
#pragma HLS INLINE
    static_assert(IN % OUT == 0 || OUT % IN == 0, "integer ratios only: chain two converters otherwise");
    dwc_direction<(IN > OUT)>::template run<IN, OUT, TOTAL, B>(in, out);
}

// A ratio that is not an integer: IN -> MID -> OUT, two converters overlapping in a dataflow
// region (MID = lcm(IN, OUT) when its word fits 4,096 bits, else gcd(IN, OUT); hwgen/units/dwc.py).
template <unsigned IN, unsigned MID, unsigned OUT, unsigned TOTAL, int B>
void dwc_chain(hls::stream<ap_uint<IN * B> > &in, hls::stream<ap_uint<OUT * B> > &out) {
#pragma HLS DATAFLOW
    hls::stream<ap_uint<MID * B> > mid("dwc_mid");
#pragma HLS STREAM variable=mid depth=2
    dwc<IN, MID, TOTAL, B>(in, mid);
    dwc<MID, OUT, TOTAL, B>(mid, out);
}

}  // namespace hwgen
