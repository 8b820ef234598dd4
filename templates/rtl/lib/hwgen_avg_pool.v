// AveragePool: integer sums of non-overlapping KH x KW windows (hwgen.units.avg_pool; stride =
// kernel, no padding, floor mode: the rows and columns past the last whole window are read and
// dropped). The division and the requantizer fold into the next unit's thresholds.
//
// Stream protocol (AXI-stream valid/ready): in, IH*IW*C elements in NHWC order as words of
// PE x IB bits (two's complement if ISIGNED); out, OH*OW*C window sums as words of PE x OB bits
// (wrapping at OB bits, as the HLS type does). Channel c = cf*PE + p. Schedule (=
// templates/hls/lib/avg_pool.hpp and AveragePool.cycles()): one word read per cycle,
// IH*IW*C/PE cycles per frame; a window's sum leaves after the word that completes it.
// Storage: one row of OW*C/PE partial sums (STYLE as hwgen_ram), read-modify-write at a distance
// of C/PE words. Pipeline: S1 row read and input register, S2 add into the row or the output
// register; a sum written in the cycle its next addend's read is issued is forwarded.
`default_nettype none

module hwgen_avg_pool #(
    parameter integer IH = 2, parameter integer IW = 2, parameter integer C = 1,
    parameter integer KH = 2, parameter integer KW = 2, parameter integer PE = 1,
    parameter integer IB = 8, parameter integer ISIGNED = 1, parameter integer OB = 10,
    parameter integer STYLE = 0
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [PE*IB-1:0]  in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output reg  [PE*OB-1:0]  out_tdata,
    output reg               out_tvalid,
    input  wire              out_tready
);
    localparam integer CF = C / PE;
    localparam integer OH = IH / KH, OW = IW / KW;
    localparam integer D = OW * CF;
    localparam integer AW = D > 1 ? $clog2(D) : 1;
    localparam integer YW = $clog2(IH + 1), XW = $clog2(IW + 1);
    localparam integer CW = $clog2(CF + 1), KYW = $clog2(KH + 1), KXW = $clog2(KW + 1);

    // position of the next input word: (y, x, cf), with the window coordinates (ky, kx) and the
    // row address of its window's partial sums (base = ox * CF)
    reg [YW-1:0] y;
    reg [XW-1:0] x;
    reg [CW-1:0] cf;
    reg [KYW-1:0] ky;
    reg [KXW-1:0] kx;
    reg [AW-1:0] base;
    wire en = !out_tvalid || out_tready;
    wire fire = en && in_tvalid;
    assign in_tready = en;
    wire inwin = y < OH * KH && x < OW * KW;
    wire [AW-1:0] addr = base + cf;
    always @(posedge clk) begin
        if (!rst_n) begin
            y <= 0; x <= 0; cf <= 0; ky <= 0; kx <= 0; base <= 0;
        end else if (fire) begin
            if (cf == CF - 1) begin
                cf <= 0;
                if (x == IW - 1) begin
                    x <= 0; kx <= 0; base <= 0;
                    y <= (y == IH - 1) ? 0 : y + 1'b1;
                    ky <= (y == IH - 1 || ky == KH - 1) ? 0 : ky + 1'b1;
                end else begin
                    x <= x + 1'b1;
                    if (kx == KW - 1) begin kx <= 0; base <= base + CF; end
                    else kx <= kx + 1'b1;
                end
            end else cf <= cf + 1'b1;
        end
    end

    // ---- S1: the row's partial sums read, the input word registered ---------------------------
    reg v1, first1, last1;
    reg [AW-1:0] addr1;
    reg [PE*IB-1:0] x1;
    reg [PE*OB-1:0] sum;  // S2's result (combinational, below)
    wire [PE*OB-1:0] rd;
    wire we = en && v1 && !last1;
    hwgen_ram #(.W(PE*OB), .D(D), .STYLE(STYLE)) u_row (
        .clk(clk), .we(we), .waddr(addr1), .wdata(sum), .re(en), .raddr(addr), .rdata(rd));
    // the read issued now misses the write of the same address in this cycle: forward it
    reg fwd;
    reg [PE*OB-1:0] fwd_sum;
    always @(posedge clk) begin
        if (!rst_n) begin
            v1 <= 1'b0; fwd <= 1'b0;
        end else if (en) begin
            v1 <= fire && inwin;
            fwd <= we && addr1 == addr;
        end
        if (en) begin
            first1 <= ky == 0 && kx == 0;
            last1 <= ky == KH - 1 && kx == KW - 1;
            addr1 <= addr;
            x1 <= in_tdata;
            fwd_sum <= sum;
        end
    end

    // ---- S2: add the word into its window's partial sum ----------------------------------------
    wire [PE*OB-1:0] prev = fwd ? fwd_sum : rd;
    integer p;
    reg [OB-1:0] e;
    always @* begin
        for (p = 0; p < PE; p = p + 1) begin
            e = ISIGNED ? {{(OB > IB ? OB - IB : 1){x1[p*IB + IB - 1]}}, x1[p*IB +: IB]}
                        : {{(OB > IB ? OB - IB : 1){1'b0}}, x1[p*IB +: IB]};
            sum[p*OB +: OB] = (first1 ? {OB{1'b0}} : prev[p*OB +: OB]) + e;
        end
    end
    always @(posedge clk) begin
        if (!rst_n) out_tvalid <= 1'b0;
        else if (en) out_tvalid <= v1 && last1;
        if (en && v1 && last1) out_tdata <= sum;
    end
endmodule
`default_nettype wire
