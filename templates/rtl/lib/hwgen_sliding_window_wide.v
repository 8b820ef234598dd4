// SlidingWindow, wide form: each output word gathers P = SIMD/C whole pixels of a window
// (hwgen.units.sliding_window; a layer with few channels, an RGB image, feeds its MVAU several
// pixels per cycle).
//
// Stream protocol (AXI-stream valid/ready): in, IH*IW pixels of C x B bits in NHWC order (one
// pixel per word); out, OH*OW windows, each WW = KH*KW/P words in (kh, kw) order, P pixels per
// word. Padding positions emit PAD_CODE in every element.
// Schedule (= sliding_window_wide in templates/hls/lib/sliding_window.hpp and
// SlidingWindow.cycles()): one padded position (py, px) of a PH x PW frame per step, a pixel read
// when it lies inside the image; KH-1 line buffers hold the previous padded rows and a KH x KW
// register window shifts in one column per step; a position that completes a window copies the
// window into a snapshot, from which its WW words leave one per step while the next positions
// shift in; such a position waits while the snapshot is still busy after this step. A step
// waits for its input pixel and for room in the output register; no idle cycle between frames.
`default_nettype none

module hwgen_sliding_window_wide #(
    parameter integer IH = 4, parameter integer IW = 4, parameter integer C = 1,
    parameter integer KH = 3, parameter integer KW = 3, parameter integer SH = 1, parameter integer SW = 1,
    parameter integer PT = 0, parameter integer PL = 0, parameter integer OH = 2, parameter integer OW = 2,
    parameter integer SIMD = 3, parameter integer B = 8, parameter integer PAD_CODE = 0
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [C*B-1:0]    in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output reg  [SIMD*B-1:0] out_tdata,
    output reg               out_tvalid,
    input  wire              out_tready
);
    localparam integer P = SIMD / C;
    localparam integer WW = KH * KW / P;
    localparam integer PH = (IH + PT > (OH - 1) * SH + KH) ? IH + PT : (OH - 1) * SH + KH;
    localparam integer PW = (IW + PL > (OW - 1) * SW + KW) ? IW + PL : (OW - 1) * SW + KW;
    localparam integer LB = KH > 1 ? KH - 1 : 1;
    localparam integer PX = C * B;  // bits of one pixel
    // position counters: wide enough for the padded frame and the window words, not a fixed 16 bits
    localparam integer DMAX = (PH > PW ? PH : PW) + (OH > OW ? OH : OW) + WW + KH + KW + SH + SW + 4;
    localparam integer DW = $clog2(DMAX + 1) + 1;

    localparam integer WIW = WW > 1 ? $clog2(WW) : 1;
    reg [DW-1:0] py, px;
    reg [WIW-1:0] wi;  // word of the snapshot leaving next
    reg busy;
    // window-completing rows/columns, counted: ys/xs = steps to the next one, yk/xk = passed ones
    reg [DW-1:0] ys, yk, xs, xk;
    wire row_done = (ys == 0) && (yk < OH);
    wire col_done = (xs == 0) && (xk < OW);
    wire left = py < PH;
    wire done = left && row_done && col_done;
    wire free_after = !busy || wi == WW - 1;
    wire shift = left && (!done || free_after);
    wire signed [DW:0] y = $signed({1'b0, py}) - PT;
    wire signed [DW:0] x = $signed({1'b0, px}) - PL;
    wire in_img = y >= 0 && y < IH && x >= 0 && x < IW;
    wire need_in = shift && in_img;
    wire en = !out_tvalid || out_tready;
    wire fire = en && (!need_in || in_tvalid);
    assign in_tready = en && need_in;

    // ---- the column entering the window: the new pixel over the line buffers ----------------
    wire [PX-1:0] padw;
    genvar g;
    generate
        for (g = 0; g < C; g = g + 1) begin : g_pad
            assign padw[g*B +: B] = PAD_CODE;
        end
    endgenerate
    wire [KH*PX-1:0] col;  // col[ky]: padded row py - (KH - 1 - ky)
    assign col[(KH-1)*PX +: PX] = in_img ? in_tdata : padw;
    generate
        for (g = 0; g < KH - 1; g = g + 1) begin : g_lb
            (* ram_style = "distributed" *) reg [PX-1:0] lb [0:PW-1];  // padded row py-1-g
            assign col[(KH-2-g)*PX +: PX] = lb[px];
            always @(posedge clk) if (fire && shift) lb[px] <= col[(KH-1-g)*PX +: PX];
        end
    endgenerate

    reg [KH*KW*PX-1:0] win, snap;
    reg [KH*KW*PX-1:0] win_next;
    integer ky, kx;
    always @* begin
        win_next = win;
        for (ky = 0; ky < KH; ky = ky + 1) begin
            for (kx = 0; kx + 1 < KW; kx = kx + 1)
                win_next[(ky*KW + kx)*PX +: PX] = win[(ky*KW + kx + 1)*PX +: PX];
            win_next[(ky*KW + KW - 1)*PX +: PX] = col[ky*PX +: PX];
        end
    end

    // the snapshot word leaving now (a whole-window word needs no select)
    // (an explicit WW-way select: an indexed part-select becomes a shifter over the whole snapshot)
    reg [SIMD*B-1:0] snap_word;
    integer k;
    always @* begin
        snap_word = snap[0 +: SIMD*B];
        for (k = 1; k < WW; k = k + 1)
            if (wi == k) snap_word = snap[k*SIMD*B +: SIMD*B];
    end

    // ---- the step ------------------------------------------------------------------------------
    wire last_pos = (py == PH - 1) && (px == PW - 1);
    wire busy_next = (busy && wi != WW - 1) || (shift && done);
    wire left_next = left && !(shift && last_pos);
    always @(posedge clk) begin
        if (!rst_n) begin
            py <= 0; px <= 0; wi <= 0; busy <= 1'b0; out_tvalid <= 1'b0;
            ys <= KH - 1; yk <= 0; xs <= KW - 1; xk <= 0;
        end else begin
            if (en) begin
                out_tvalid <= fire && busy;
                if (fire && busy) out_tdata <= snap_word;
            end
            if (fire) begin
                if (busy) wi <= (wi == WW - 1) ? 0 : wi + 1;
                busy <= busy_next;
                if (shift) begin
                    win <= win_next;
                    if (done) begin
                        snap <= win_next;
                        wi <= 0;
                    end
                    if (px == PW - 1) begin
                        px <= 0;
                        py <= py + 1;
                        xs <= KW - 1; xk <= 0;
                        if (ys == 0) begin ys <= SH - 1; yk <= yk + 1; end
                        else ys <= ys - 1;
                    end else begin
                        px <= px + 1;
                        if (xs == 0) begin xs <= SW - 1; xk <= xk + 1; end
                        else xs <= xs - 1;
                    end
                end
                if (!left_next && !busy_next) begin  // frame done: the next one starts now
                    py <= 0; px <= 0;
                    ys <= KH - 1; yk <= 0; xs <= KW - 1; xk <= 0;
                end
            end
        end
    end
endmodule
`default_nettype wire
