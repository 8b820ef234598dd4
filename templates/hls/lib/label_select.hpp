// LabelSelect: indices of the K largest of N scores (ties: the lower index wins).
//
// Stream protocol: N scores as words of PE elements in; K indices out, one per word, best
// first. Folding: PE scores compared per cycle against a sorted top-K list (insertion sort).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned N, unsigned K, unsigned PE, class TI, class TO>
void label_select(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
                  hls::stream<ap_uint<Width<TO>::value> > &out) {
    static_assert(N % PE == 0 && K <= N, "PE must divide the label count, K <= labels");
    TI best[K];
    TO index[K];
#pragma HLS ARRAY_PARTITION variable=best complete
#pragma HLS ARRAY_PARTITION variable=index complete
    unsigned filled = 0;
    for (unsigned i = 0; i < N / PE; i++) {
#pragma HLS PIPELINE II=1
        ap_uint<PE * Width<TI>::value> x = in.read();
        for (unsigned p = 0; p < PE; p++) {
            TI v = elem<TI>(x, p);
            // strictly greater: an equal later score never overtakes an earlier one
            unsigned pos = filled;
            while (pos > 0 && v > best[pos - 1]) pos--;
            if (pos < K) {
                for (unsigned j = (filled < K ? filled : K - 1); j > pos; j--) {
                    best[j] = best[j - 1];
                    index[j] = index[j - 1];
                }
                best[pos] = v;
                index[pos] = TO(i * PE + p);
                if (filled < K) filled++;
            }
        }
    }
    for (unsigned j = 0; j < K; j++) {
#pragma HLS PIPELINE II=1
        ap_uint<Width<TO>::value> y = 0;
        set_elem<Width<TO>::value>(y, 0, index[j]);
        out.write(y);
    }
}

}  // namespace hwgen
