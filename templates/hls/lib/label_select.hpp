// LabelSelect: indices of the K largest of N scores (ties: the lower index wins).
//
// Stream protocol: N scores as words of PE elements in; K indices out, one per word, best
// first. Folding: PE scores per cycle, each inserted into a sorted top-K register list by a
// fixed network (every slot compares in parallel, then shifts), so the loop runs at II=1 with
// no data-dependent trip counts: N/PE cycles per frame plus K to emit.
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned N, unsigned K, unsigned PE, class TI, class TO>
void label_select(hls::stream<ap_uint<PE * Width<TI>::value> > &in,
                  hls::stream<ap_uint<Width<TO>::value> > &out) {
    static_assert(N % PE == 0 && K <= N, "PE must divide the label count, K <= labels");
    TI best[K];
    TO index[K];
    bool valid[K];
#pragma HLS ARRAY_PARTITION variable=best complete
#pragma HLS ARRAY_PARTITION variable=index complete
#pragma HLS ARRAY_PARTITION variable=valid complete
    for (unsigned j = 0; j < K; j++) {
#pragma HLS UNROLL
        valid[j] = false;
        best[j] = 0;
        index[j] = 0;
    }
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < N / PE; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<PE * Width<TI>::value> x = in.read();
        for (unsigned p = 0; p < PE; p++) {
#pragma HLS UNROLL
            TI v = elem<TI>(x, p);
            // beats[j]: v goes at or above slot j. Strictly greater, so an equal later score never
            // overtakes an earlier one; the list is sorted, so beats[] is false...false true...true.
            bool beats[K];
#pragma HLS ARRAY_PARTITION variable=beats complete
            for (unsigned j = 0; j < K; j++) {
#pragma HLS UNROLL
                beats[j] = !valid[j] || v > best[j];
            }
            for (unsigned j = K; j-- > 0;) {
#pragma HLS UNROLL
                bool shift = j > 0 && beats[j - 1];
                bool insert = beats[j] && (j == 0 || !beats[j - 1]);
                if (shift) {
                    best[j] = best[j - 1];
                    index[j] = index[j - 1];
                    valid[j] = valid[j - 1];
                } else if (insert) {
                    best[j] = v;
                    index[j] = TO(i * PE + p);
                    valid[j] = true;
                }
            }
        }
    }
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned j = 0; j < K; j++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<Width<TO>::value> y = 0;
        set_elem<Width<TO>::value>(y, 0, index[j]);
        out.write(y);
    }
}

}  // namespace hwgen
