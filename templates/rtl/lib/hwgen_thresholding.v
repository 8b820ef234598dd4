// Thresholding: standalone multi-threshold activation (hwgen.units.thresholding).
//
// Stream protocol (AXI-stream valid/ready): in, PIXELS*C elements in NHWC order as words of PE x
// IB bits; out, the same count as words of PE x OB bits. Channel c = cf*PE + p of a word:
// out = BASE + STEP * #(x >= T[c][j]), j < NT (signed compare if ISIGNED).
// One word per cycle (C*PIXELS/PE cycles per frame). Pipeline: S1 threshold memory read and
// input register, S2 compare into the output register. Thresholds TFILE: depth C/PE, word cf
// holds PE x NT x TB bits (two's complement), PE p at [p*NT*TB, ...).
`default_nettype none

module hwgen_thresholding #(
    parameter integer C = 1, parameter integer PE = 1,
    parameter integer IB = 8, parameter integer ISIGNED = 1,
    parameter integer OB = 1, parameter integer NT = 1, parameter integer TB = 9,
    parameter integer BASE = 0, parameter integer STEP = 1,
    parameter TFILE = "", parameter integer TSTYLE = 0
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
    localparam integer CAW = CF > 1 ? $clog2(CF) : 1;
    reg [CAW-1:0] cf;
    wire en = !out_tvalid || out_tready;
    wire fire = en && in_tvalid;
    assign in_tready = en;
    always @(posedge clk) begin
        if (!rst_n) cf <= 0;
        else if (fire) cf <= (cf == CF - 1) ? 0 : cf + 1'b1;
    end

    wire [PE*NT*TB-1:0] t1;
    hwgen_rom #(.W(PE*NT*TB), .D(CF), .STYLE(TSTYLE), .FILE(TFILE)) u_tmem (
        .clk(clk), .en(en), .addr(cf), .data(t1));
    reg [PE*IB-1:0] x1;
    reg v1;
    always @(posedge clk) begin
        if (!rst_n) v1 <= 1'b0;
        else if (en) begin
            v1 <= fire;
            x1 <= in_tdata;
        end
    end

    integer q, j;
    reg signed [IB:0] xe;
    reg signed [OB+33:0] act;
    reg [PE*OB-1:0] y;
    always @* begin
        y = {PE*OB{1'b0}};
        for (q = 0; q < PE; q = q + 1) begin
            xe = ISIGNED ? $signed({x1[q*IB + IB - 1], x1[q*IB +: IB]}) : $signed({1'b0, x1[q*IB +: IB]});
            act = BASE;
            for (j = 0; j < NT; j = j + 1)
                if (xe >= $signed(t1[(q*NT + j)*TB +: TB])) act = act + STEP;
            y[q*OB +: OB] = act[OB-1:0];
        end
    end
    always @(posedge clk) begin
        if (!rst_n) out_tvalid <= 1'b0;
        else if (en) begin
            out_tvalid <= v1;
            if (v1) out_tdata <= y;
        end
    end
endmodule
`default_nettype wire
