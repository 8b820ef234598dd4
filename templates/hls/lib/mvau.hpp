// MVAU: matrix-vector-activation unit (FINN-style PE/SIMD folding).
//
// Stream protocol: per frame, REPS input vectors of MW elements arrive as SF = MW/SIMD words of
// SIMD elements; for each vector MH outputs leave as NF = MH/PE words of PE elements.
// Folding: the MH x MW matrix is cut into NF x SF tiles of PE rows x SIMD columns; one pipelined
// loop of REPS*NF*SF iterations handles one tile per cycle. The SF input words of a vector are
// read during the first row fold (nf == 0) and replayed from `inbuf` for the other NF-1 folds.
// Row r = nf*PE + pe lives in processing element pe; weights[pe][nf*SF + sf] holds its SIMD
// weights of columns sf*SIMD .. sf*SIMD+SIMD-1 (element s at bits [s*WB, (s+1)*WB)).
//
// MODE 0 (XNOR): inputs and weights are bits (1 = +1); acc = popcount(XNOR) over MW.
//   With thresholds: out = BASE + STEP * #(acc >= T_j); noact: out = 2*acc - MW.
// MODE 1 (integer x binary weights): acc = sum(w ? x : -x).
// MODE 2 (integer x integer): acc = sum(x * w).
// Thresholds thr[pe][nf][NT] are in the accumulator domain; NT == 0 means noact (out = acc).
#pragma once

#include "common.hpp"

namespace hwgen {

template <unsigned MW, unsigned MH, unsigned SIMD, unsigned PE, unsigned REPS, int MODE,
          class TI, class TW, class TA, class TO, unsigned NT, int BASE, int STEP,
          class WArr, class TArr>
void mvau(hls::stream<ap_uint<SIMD * Width<TI>::value> > &in,
          hls::stream<ap_uint<PE * Width<TO>::value> > &out,
          const WArr &weights, const TArr &thresholds) {
    // inlined into the layer's wrapper, where the parameter arrays and their pragmas live
#pragma HLS INLINE
    const unsigned SF = MW / SIMD, NF = MH / PE;
    const int IB = Width<TI>::value, WB = Width<TW>::value, OB = Width<TO>::value;
    static_assert(MW % SIMD == 0 && MH % PE == 0, "SIMD must divide MW and PE must divide MH");
    ap_uint<SIMD * IB> inbuf[SF];
    TA acc[PE];
#pragma HLS ARRAY_PARTITION variable=acc complete
    unsigned nf = 0, sf = 0;
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (unsigned i = 0; i < REPS * NF * SF; i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ap_uint<SIMD * IB> x;
        if (nf == 0) {
            x = in.read();
            inbuf[sf] = x;
        } else {
            x = inbuf[sf];
        }
        for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
            ap_uint<SIMD * WB> w = load_word<SIMD * WB>(weights[pe][nf * SF + sf]);
            TA sum = 0;
            if (MODE == 0) {
                ap_uint<SIMD * IB> agree = ~(x ^ w);
                sum = popcount<SIMD * IB>(agree);
            } else {
                for (unsigned s = 0; s < SIMD; s++) {
#pragma HLS UNROLL
                    TI xs = elem<TI>(x, s);
                    if (MODE == 1)
                        sum += w[s] ? TA(xs) : TA(-xs);
                    else
                        sum += TA(xs * elem<TW>(w, s));
                }
            }
            acc[pe] = (sf == 0) ? sum : TA(acc[pe] + sum);
        }
        if (sf == SF - 1) {
            ap_uint<PE * OB> y = 0;
            for (unsigned pe = 0; pe < PE; pe++) {
#pragma HLS UNROLL
                if (NT == 0) {
                    if (MODE == 0)
                        set_elem<OB>(y, pe, TO(2 * acc[pe] - int(MW)));
                    else
                        set_elem<OB>(y, pe, TO(acc[pe]));
                } else {
                    unsigned c = count_reached(acc[pe], thresholds[pe][nf]);
                    set_elem<OB>(y, pe, TO(BASE + STEP * int(c)));
                }
            }
            out.write(y);
            sf = 0;
            nf = (nf == NF - 1) ? 0 : nf + 1;
        } else {
            sf++;
        }
    }
}

}  // namespace hwgen
