// Ring of input rows shared by the window units (sliding_window.hpp, maxpool.hpp).
//
// The ring holds KH + SH rows of ROW words: the KH rows output row oy reads and the SH rows
// output row oy+1 needs, which are read while oy is emitted. Row y lives in slot y % (KH + SH).
#pragma once

#include "common.hpp"

namespace hwgen {

// Highest input row output row `oy` reads (clipped to the frame; -1: none yet).
template <unsigned IH, unsigned KH, unsigned SH, unsigned PT>
inline int window_last_row(int oy) {
    int r = oy * int(SH) + int(KH) - 1 - int(PT);
    return r < 0 ? -1 : (r > int(IH) - 1 ? int(IH) - 1 : r);
}

// The last row to hold once output row `oy` is done: what row oy+1 needs, or, after the last
// output row, the frame's last row (rows no window uses are still read, to drain the stream).
template <unsigned IH, unsigned KH, unsigned SH, unsigned PT, unsigned OH>
inline int ring_target(unsigned oy) {
    return oy + 1 < OH ? window_last_row<IH, KH, SH, PT>(oy + 1) : int(IH) - 1;
}

// Read the rows output row 0 needs; returns the last row read.
template <unsigned IH, unsigned KH, unsigned SH, unsigned PT, unsigned ROW, unsigned R, class W>
inline int ring_fill(hls::stream<W> &in, W ring[R][ROW]) {
    int have = window_last_row<IH, KH, SH, PT>(0);
    HWGEN_COUNT_LOOP();  // one pipeline fill and drain per entry
    for (int i = 0; i < (have + 1) * int(ROW); i++) {
#pragma HLS PIPELINE II=1
        HWGEN_COUNT_ITERATION();
        ring[(i / ROW) % R][i % ROW] = in.read();
    }
    return have;
}

// One word from the stream into row `ry`, column `rx` of the ring; advances (ry, rx).
template <unsigned ROW, unsigned R, class W>
inline void ring_push(hls::stream<W> &in, W ring[R][ROW], unsigned &ry, unsigned &rx) {
    ring[ry % R][rx] = in.read();
    if (++rx == ROW) {
        rx = 0;
        ++ry;
    }
}

}  // namespace hwgen
