// SlidingWindow: im2col on a stream, for the MVAU that follows.
//
// Stream protocol: per frame, IH*IW*C input elements arrive in NHWC order as words of SIMD
// channels; OH*OW windows leave, each as KH*KW*C/SIMD words in (kh, kw, c) order, which is the
// column order of the MVAU's weight matrix. Positions in the padding (PT, PL, PB, PR) emit
// PAD_CODE in every element (the hardware code of the pad value, e.g. bit 0 for -1).
// Folding: SIMD channels per word (SIMD | C). The frame is buffered in `buf` (IH*IW*C/SIMD words,
// written once, read KH*KW times per output pixel); one word moves per cycle in each loop.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned SIMD, class TI, int PAD_CODE>
void sliding_window(hls::stream<ap_uint<SIMD * Width<TI>::value> > &in,
                    hls::stream<ap_uint<SIMD * Width<TI>::value> > &out) {
    const unsigned CF = C / SIMD;
    const int B = Width<TI>::value;
    static_assert(C % SIMD == 0, "SIMD must divide the channel count");
    ap_uint<SIMD * B> buf[IH * IW * CF];
    for (unsigned i = 0; i < IH * IW * CF; i++) {
#pragma HLS PIPELINE II=1
        buf[i] = in.read();
    }
    ap_uint<SIMD * B> pad = 0;
    for (unsigned s = 0; s < SIMD; s++) set_elem<B>(pad, s, ap_int<B + 1>(PAD_CODE));
    for (unsigned oy = 0; oy < OH; oy++)
        for (unsigned ox = 0; ox < OW; ox++)
            for (unsigned ky = 0; ky < KH; ky++)
                for (unsigned kx = 0; kx < KW; kx++)
                    for (unsigned cf = 0; cf < CF; cf++) {
#pragma HLS PIPELINE II=1
                        int y = int(oy * SH + ky) - int(PT);
                        int x = int(ox * SW + kx) - int(PL);
                        bool inside = y >= 0 && y < int(IH) && x >= 0 && x < int(IW);
                        out.write(inside ? buf[(y * IW + x) * CF + cf] : pad);
                    }
}

}  // namespace hwgen
