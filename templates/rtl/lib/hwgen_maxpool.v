// StreamingMaxPool: KH x KW max pooling, OR on bits; min pooling (AND on bits) on the channels
// set in MIN_MASK (hwgen.units.pool; streamlining turns decreasing channels into min-pools).
//
// Stream protocol (AXI-stream valid/ready): in, IH*IW*C elements in NHWC order as words of
// PE x B bits; out, OH*OW*C elements, same word size. Padding and the ragged edge of ceil_mode
// never win (skipped). Channel c = cf*PE + p; MIN_MASK bit c = 1 takes the minimum.
// Schedule (= templates/hls/lib/maxpool.hpp and StreamingMaxPool.cycles()): the ring of KH + SH
// input rows and fill/row segments of hwgen_sliding_window; per output row E = OW*(C/PE)*KH*KW
// reduction steps (kx fastest, then ky, then cf, then ox), one ring word per step, a word out
// every KH*KW steps, while the rows of the next output row are read.
`default_nettype none

module hwgen_maxpool #(
    parameter integer IH = 4, parameter integer IW = 4, parameter integer C = 1,
    parameter integer KH = 2, parameter integer KW = 2, parameter integer SH = 2, parameter integer SW = 2,
    parameter integer PT = 0, parameter integer PL = 0, parameter integer OH = 2, parameter integer OW = 2,
    parameter integer PE = 1, parameter integer B = 1, parameter integer ISIGNED = 0,
    parameter [C-1:0] MIN_MASK = 0, parameter integer STYLE = 0
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [PE*B-1:0]   in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output reg  [PE*B-1:0]   out_tdata,
    output reg               out_tvalid,
    input  wire              out_tready
);
    localparam integer CF = C / PE;
    localparam integer R = KH + SH;
    localparam integer ROW = IW * CF;
    localparam integer RD = R * ROW;
    localparam integer AW = RD > 1 ? $clog2(RD) : 1;
    // signed row/column coordinates and counters: wide enough for every value they take (rows and
    // columns with padding and kernel overhang, ring words, ring rows), not a fixed 16 bits
    localparam integer DMAX = (IH > IW ? IH : IW) + (ROW > CF ? ROW : CF) + KH + KW + SH + SW + R + 4;
    localparam integer DW = $clog2(DMAX + 1) + 1;

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

    // ---- S1: one ring word per step ----------------------------------------------------------
    wire signed [DW-1:0] y = ybase + $signed(ky);
    wire signed [DW-1:0] x = xbase + $signed(kx);
    wire in_frame = y >= 0 && y < IH && x >= 0 && x < IW;
    wire [DW-1:0] s0 = yslot + ky;
    wire [DW-1:0] slot = s0 >= R ? s0 - R : s0;
    wire [AW-1:0] raddr = slot * ROW + x * CF + cf;
    wire [AW-1:0] waddr = wslot * ROW + rx;
    wire [PE*B-1:0] rd1;
    hwgen_ram #(.W(PE*B), .D(RD), .STYLE(STYLE)) u_ring (
        .clk(clk), .we(fire && do_read), .waddr(waddr), .wdata(in_tdata),
        .re(en), .raddr(raddr), .rdata(rd1));
    wire wlast = (kx == KW - 1) && (ky == KH - 1);
    reg v1, in1, last1;
    reg [PE-1:0] mask1;
    integer q;
    always @(posedge clk) begin
        if (!rst_n) v1 <= 1'b0;
        else if (en) begin
            v1 <= fire && do_emit;
            in1 <= in_frame;
            last1 <= wlast;
            for (q = 0; q < PE; q = q + 1) mask1[q] <= MIN_MASK[cf * PE + q];
        end
    end

    // ---- S2: reduce into best; the window's last step writes the output register -------------
    reg [PE*B-1:0] best, nb;
    reg bfirst;  // no element of this window inside the frame yet
    reg signed [B:0] v, bv;
    always @* begin
        nb = best;
        for (q = 0; q < PE; q = q + 1) begin
            v = ISIGNED ? $signed({rd1[q*B + B - 1], rd1[q*B +: B]}) : $signed({1'b0, rd1[q*B +: B]});
            bv = ISIGNED ? $signed({best[q*B + B - 1], best[q*B +: B]}) : $signed({1'b0, best[q*B +: B]});
            if (in1 && (bfirst || (mask1[q] ? v < bv : v > bv))) nb[q*B +: B] = rd1[q*B +: B];
        end
    end
    always @(posedge clk) begin
        if (!rst_n) begin
            out_tvalid <= 1'b0;
            bfirst <= 1'b1;
        end else if (en) begin
            out_tvalid <= v1 && last1;
            if (v1) begin
                best <= nb;
                bfirst <= last1 ? 1'b1 : (bfirst && !in1);
                if (last1) out_tdata <= nb;
            end
        end
    end

    // ---- the step: emit counters (kx, ky, cf, ox), read counters, segment changes -------------
    reg wdone;
    reg [DW-1:0] ky_n, kx_n, cf_n;
    always @* begin
        ky_n = ky; kx_n = kx; cf_n = cf; wdone = 1'b0;
        if (kx == KW - 1) begin
            kx_n = 0;
            if (ky == KH - 1) begin
                ky_n = 0;
                if (cf == CF - 1) begin cf_n = 0; wdone = 1'b1; end
                else cf_n = cf + 1;
            end else ky_n = ky + 1;
        end else kx_n = kx + 1;
    end
    wire row_last = wdone && (ox == OW - 1);
    wire e_fin = fill || edone || (do_emit && row_last);
    wire read_row_end = do_read && (rx == ROW - 1);
    wire r_fin = $signed(ry + read_row_end) > tgt;

    always @(posedge clk) begin
        if (!rst_n) begin
            fill <= 1'b1; edone <= 1'b0;
            oy <= 0; ox <= 0; ky <= 0; kx <= 0; cf <= 0;
            ry <= 0; rx <= 0; wslot <= 0;
            tgt <= clampr(KH - 1 - PT); raw <= 0; ybase <= 0; xbase <= 0; yslot <= 0;
        end else if (fire) begin
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
                if (fill) begin
                    fill <= 1'b0;
                    oy <= 0;
                    ybase <= -PT;
                    yslot <= ((-PT % R) + R) % R;
                    raw <= SH + KH - 1 - PT;
                    tgt <= OH > 1 ? clampr(SH + KH - 1 - PT) : IH - 1;
                end else if (oy == OH - 1) begin
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
endmodule
`default_nettype wire
