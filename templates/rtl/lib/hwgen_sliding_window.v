// SlidingWindow: im2col on a stream for the MVAU that follows (hwgen.units.sliding_window).
//
// Stream protocol (AXI-stream valid/ready): in, IH*IW*C elements in NHWC order as words of
// SIMD_IN x B bits; out, OH*OW windows, each KH*KW*C/SIMD words in (kh, kw, c) order (the MVAU's
// column order). Positions in the padding (top PT, left PL, bottom/right implied by OH, OW) emit
// PAD_CODE in every element. SIMD = SIMD_IN | C, or SIMD_IN = C and a word gathers P = SIMD/C
// whole pixels of a window row (P | KW) or P/KW whole window rows.
// Schedule (= templates/hls/lib/sliding_window.hpp and SlidingWindow.cycles()): a ring of KH + SH
// input rows; per frame a fill segment reads the rows output row 0 needs, then each output row
// is one segment of max(E, reads) steps: step i emits word i (i < E = OW*KH*KW*C/SIMD) and reads
// word i of the rows the next output row needs (the frame's last rows after the last output
// row). A step waits for its input word and for room in the output register; no idle cycle
// between segments or frames. Ring: row y in slot y % (KH + SH); the P read ports of the wide form
// each get a copy of the ring (the wide form is for few channels, e.g. an RGB image).
`default_nettype none

module hwgen_sliding_window #(
    parameter integer IH = 4, parameter integer IW = 4, parameter integer C = 1,
    parameter integer KH = 3, parameter integer KW = 3, parameter integer SH = 1, parameter integer SW = 1,
    parameter integer PT = 0, parameter integer PL = 0, parameter integer OH = 2, parameter integer OW = 2,
    parameter integer SIMD = 1, parameter integer SIMD_IN = 1, parameter integer B = 1,
    parameter integer PAD_CODE = 0, parameter integer STYLE = 0
) (
    input  wire                  clk,
    input  wire                  rst_n,
    input  wire [SIMD_IN*B-1:0]  in_tdata,
    input  wire                  in_tvalid,
    output wire                  in_tready,
    output wire [SIMD*B-1:0]     out_tdata,
    output reg                   out_tvalid,
    input  wire                  out_tready
);
    localparam integer CF = C / SIMD_IN;     // input words per pixel
    localparam integer P = SIMD / SIMD_IN;   // input words gathered into one output word
    localparam integer R = KH + SH;          // ring rows
    localparam integer ROW = IW * CF;        // words per input row
    localparam integer RD = R * ROW;
    localparam integer AW = RD > 1 ? $clog2(RD) : 1;
    // signed row/column coordinates and counters: wide enough for every value they take (rows and
    // columns with padding and kernel overhang, ring words, ring rows), not a fixed 16 bits
    localparam integer DMAX = (IH > IW ? IH : IW) + (ROW > CF ? ROW : CF) + KH + KW + SH + SW + P + R + 4;
    localparam integer DW = $clog2(DMAX + 1) + 1;
    localparam integer JR = P > KW ? P / KW : 1;  // window rows per word (whole-row form)

    function automatic signed [DW-1:0] clampr(input signed [DW-1:0] v);
        clampr = v < -1 ? -1 : (v > IH - 1 ? IH - 1 : v);
    endfunction

    reg fill, edone;
    reg [DW-1:0] oy, ox;
    reg signed [DW-1:0] tgt, raw, ybase, xbase;
    reg [DW-1:0] ry, rx, wslot, yslot;
    reg [DW-1:0] ky, kx, cf;

    wire en = !out_tvalid || out_tready;
    wire do_read = $signed(ry) <= tgt;
    wire do_emit = !fill && !edone;
    wire fire = en && (!do_read || in_tvalid);
    assign in_tready = en && do_read;

    // ---- the ring: one copy per read port --------------------------------------------------
    wire [AW-1:0] waddr = wslot * ROW + rx;
    genvar p;
    reg [P-1:0] pad_q;
    wire [SIMD*B-1:0] rdata;
    wire [SIMD_IN*B-1:0] padw;
    generate
        for (p = 0; p < SIMD_IN; p = p + 1) begin : g_padw
            assign padw[p*B +: B] = PAD_CODE;
        end
        for (p = 0; p < P; p = p + 1) begin : g_port
            wire [DW-1:0] kyp = P == 1 ? ky : (P <= KW ? ky : ky + p / KW);
            wire [DW-1:0] kxp = P == 1 ? kx : (P <= KW ? kx + p : p % KW);
            wire signed [DW-1:0] y = ybase + $signed(kyp);
            wire signed [DW-1:0] x = xbase + $signed(kxp);
            wire in_frame = y >= 0 && y < IH && x >= 0 && x < IW;
            wire [DW-1:0] s0 = yslot + kyp;
            wire [DW-1:0] slot = s0 >= R ? s0 - R : s0;
            wire [AW-1:0] raddr = slot * ROW + x * CF + cf;
            wire [SIMD_IN*B-1:0] rd;
            hwgen_ram #(.W(SIMD_IN*B), .D(RD), .STYLE(STYLE)) u_ring (
                .clk(clk), .we(fire && do_read), .waddr(waddr), .wdata(in_tdata),
                .re(en), .raddr(raddr), .rdata(rd));
            always @(posedge clk) if (en) pad_q[p] <= !in_frame;
            assign rdata[p*SIMD_IN*B +: SIMD_IN*B] = pad_q[p] ? padw : rd;
        end
    endgenerate
    assign out_tdata = rdata;

    // ---- the step: emit counters, read counters, segment changes ---------------------------
    reg wdone;  // this step emits the last word of a window
    reg [DW-1:0] ky_n, kx_n, cf_n;
    always @* begin
        ky_n = ky; kx_n = kx; cf_n = cf; wdone = 1'b0;
        if (P == 1) begin
            if (cf == CF - 1) begin
                cf_n = 0;
                if (kx == KW - 1) begin
                    kx_n = 0;
                    if (ky == KH - 1) begin ky_n = 0; wdone = 1'b1; end
                    else ky_n = ky + 1;
                end else kx_n = kx + 1;
            end else cf_n = cf + 1;
        end else if (P <= KW) begin
            if (kx + P == KW) begin
                kx_n = 0;
                if (ky == KH - 1) begin ky_n = 0; wdone = 1'b1; end
                else ky_n = ky + 1;
            end else kx_n = kx + P;
        end else begin
            if (ky + JR == KH) begin ky_n = 0; wdone = 1'b1; end
            else ky_n = ky + JR;
        end
    end
    wire row_last = wdone && (ox == OW - 1);
    wire e_fin = fill || edone || (do_emit && row_last);
    wire read_row_end = do_read && (rx == ROW - 1);
    wire r_fin = $signed(ry + read_row_end) > tgt;

    always @(posedge clk) begin
        if (!rst_n) begin
            out_tvalid <= 1'b0;
            fill <= 1'b1; edone <= 1'b0;
            oy <= 0; ox <= 0; ky <= 0; kx <= 0; cf <= 0;
            ry <= 0; rx <= 0; wslot <= 0;
            tgt <= clampr(KH - 1 - PT); raw <= 0; ybase <= 0; xbase <= 0; yslot <= 0;
        end else begin
            if (en) out_tvalid <= fire && do_emit;
            if (fire) begin
                if (do_read) begin
                    if (rx == ROW - 1) begin
                        rx <= 0;
                        ry <= ry + 1;
                        wslot <= (wslot == R - 1) ? 0 : wslot + 1;
                    end else rx <= rx + 1;
                end
                if (do_emit) begin
                    ky <= ky_n; kx <= kx_n; cf <= cf_n;
                    if (wdone) begin
                        if (ox == OW - 1) edone <= 1'b1;
                        else begin ox <= ox + 1; xbase <= xbase + SW; end
                    end
                end
                if (e_fin && r_fin) begin
                    ox <= 0; xbase <= -PL; edone <= 1'b0;
                    ky <= 0; kx <= 0; cf <= 0;
                    if (fill) begin  // first output row of the frame
                        fill <= 1'b0;
                        oy <= 0;
                        ybase <= -PT;
                        yslot <= ((-PT % R) + R) % R;
                        raw <= SH + KH - 1 - PT;
                        tgt <= OH > 1 ? clampr(SH + KH - 1 - PT) : IH - 1;
                    end else if (oy == OH - 1) begin  // frame done: next frame's fill
                        fill <= 1'b1;
                        tgt <= clampr(KH - 1 - PT);
                        ry <= 0; rx <= 0; wslot <= 0;
                    end else begin
                        oy <= oy + 1;
                        ybase <= ybase + SH;
                        yslot <= (yslot + SH >= R) ? yslot + SH - R : yslot + SH;
                        raw <= raw + SH;
                        tgt <= (oy + 2 < OH) ? clampr(raw + SH) : IH - 1;
                    end
                end
            end
        end
    end
endmodule
`default_nettype wire
