// GlobalAveragePool: the integer sum of every channel over the PIXELS pixels of a frame
// (hwgen.units.global_avg_pool). The division and the requantizer fold into the next unit's
// thresholds.
//
// Stream protocol (AXI-stream valid/ready): in, PIXELS*C elements in NHWC order as words of
// PE x IB bits (two's complement if ISIGNED); out, C sums as words of PE x OB bits. Schedule (=
// templates/hls/lib/global_avg_pool.hpp and GlobalAveragePool.cycles()): one word read per
// cycle, PIXELS*C/PE cycles per frame; the sums leave while the last pixel is read. It is the
// average pool of one 1 x PIXELS window (hwgen_avg_pool): C/PE running sums, read-modify-write.
`default_nettype none

module hwgen_global_avg_pool #(
    parameter integer PIXELS = 1, parameter integer C = 1, parameter integer PE = 1,
    parameter integer IB = 8, parameter integer ISIGNED = 1, parameter integer OB = 16,
    parameter integer STYLE = 0
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [PE*IB-1:0]  in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output wire [PE*OB-1:0]  out_tdata,
    output wire              out_tvalid,
    input  wire              out_tready
);
    hwgen_avg_pool #(.IH(1), .IW(PIXELS), .C(C), .KH(1), .KW(PIXELS), .PE(PE), .IB(IB), .ISIGNED(ISIGNED),
                     .OB(OB), .STYLE(STYLE)) u_sum (
        .clk(clk), .rst_n(rst_n), .in_tdata(in_tdata), .in_tvalid(in_tvalid), .in_tready(in_tready),
        .out_tdata(out_tdata), .out_tvalid(out_tvalid), .out_tready(out_tready));
endmodule
`default_nettype wire
