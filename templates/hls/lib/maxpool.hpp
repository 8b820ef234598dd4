// StreamingMaxPool: KH x KW max pooling (OR on bits), min pooling (AND on bits) where MINMASK.
//
// Stream protocol: IH*IW*C elements in NHWC order as words of PE channels in; OH*OW*C elements
// out, same word size. Padding and the ragged edge of ceil_mode never win (skipped).
// Folding: PE channels per word (PE | C), one word per cycle. The frame is buffered in `buf`.
// min_mask[cf] holds one bit per channel of word cf: 1 = take the minimum.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned IH, unsigned IW, unsigned C, unsigned KH, unsigned KW, unsigned SH, unsigned SW,
          unsigned PT, unsigned PL, unsigned OH, unsigned OW, unsigned PE, class TI, class MArr>
void maxpool(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
             hls::stream<ap_uint<PE * Width<TI>::value> > &out, const MArr &min_mask) {
    const unsigned CF = C / PE;
    const int B = Width<TI>::value;
    static_assert(C % PE == 0, "PE must divide the channel count");
    ap_uint<PE * B> buf[IH * IW * CF];
    for (unsigned i = 0; i < IH * IW * CF; i++) {
#pragma HLS PIPELINE II=1
        buf[i] = in.read();
    }
    for (unsigned oy = 0; oy < OH; oy++)
        for (unsigned ox = 0; ox < OW; ox++)
            for (unsigned cf = 0; cf < CF; cf++) {
                ap_uint<PE> take_min = load_word<PE>(min_mask[cf]);
                TI best[PE];
#pragma HLS ARRAY_PARTITION variable=best complete
                bool first = true;
                for (unsigned ky = 0; ky < KH; ky++)
                    for (unsigned kx = 0; kx < KW; kx++) {
#pragma HLS PIPELINE II=1
                        int y = int(oy * SH + ky) - int(PT);
                        int x = int(ox * SW + kx) - int(PL);
                        if (y < 0 || y >= int(IH) || x < 0 || x >= int(IW)) continue;
                        ap_uint<PE * B> w = buf[(y * IW + x) * CF + cf];
                        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
                            TI v = elem<TI>(w, p);
                            if (first || (take_min[p] ? v < best[p] : v > best[p])) best[p] = v;
                        }
                        first = false;
                    }
                ap_uint<PE * B> y = 0;
                for (unsigned p = 0; p < PE; p++) set_elem<B>(y, p, best[p]);
                out.write(y);
            }
}

}  // namespace hwgen
