// AddStreams: element-wise integer add of two streams, out = (a << SA) + (b << SB)
// (hwgen.units.add_streams; the shifts align two power-of-two scales).
//
// Stream protocol (AXI-stream valid/ready; the two inputs share one port as a packed bus: a at
// bits [0, PE*AB), b at [PE*AB, PE*(AB+BB)), valid/ready bit 0 = a, bit 1 = b): in, two streams
// of the same element count in the same NHWC order as words of PE elements; out, one stream of
// PE x OB-bit words. Element p of a word: bits [p*B, (p+1)*B), two's complement if xSIGNED.
// Schedule (= templates/hls/lib/add_streams.hpp and AddStreams.cycles()): a word of each input
// joins into one output word per cycle; an input is taken only together with the other
// (its ready waits for the other's valid). Output register: the sum, wrapped to OB bits.
`default_nettype none

module hwgen_add_streams #(
    parameter integer PE = 1,
    parameter integer AB = 8, parameter integer ASIGNED = 1, parameter integer SA = 0,
    parameter integer BB = 8, parameter integer BSIGNED = 1, parameter integer SB = 0,
    parameter integer OB = 9
) (
    input  wire                    clk,
    input  wire                    rst_n,
    input  wire [PE*(AB+BB)-1:0]   in_tdata,
    input  wire [1:0]              in_tvalid,
    output wire [1:0]              in_tready,
    output reg  [PE*OB-1:0]        out_tdata,
    output reg                     out_tvalid,
    input  wire                    out_tready
);
    // wide enough for both shifted addends and their sum (before the wrap to OB bits)
    localparam integer SAB = AB + SA > BB + SB ? AB + SA : BB + SB;
    localparam integer SW = (SAB > OB ? SAB : OB) + 2;
    wire [PE*AB-1:0] a = in_tdata[PE*AB-1:0];
    wire [PE*BB-1:0] b = in_tdata[PE*(AB+BB)-1:PE*AB];
    wire en = !out_tvalid || out_tready;
    wire fire = en && in_tvalid[0] && in_tvalid[1];
    assign in_tready = {en && in_tvalid[0], en && in_tvalid[1]};

    integer p;
    reg signed [SW-1:0] va, vb, s;
    reg [PE*OB-1:0] y;
    always @* begin
        y = {PE*OB{1'b0}};
        for (p = 0; p < PE; p = p + 1) begin
            va = ASIGNED ? $signed({{(SW-AB){a[p*AB + AB - 1]}}, a[p*AB +: AB]}) : $signed({{(SW-AB){1'b0}}, a[p*AB +: AB]});
            vb = BSIGNED ? $signed({{(SW-BB){b[p*BB + BB - 1]}}, b[p*BB +: BB]}) : $signed({{(SW-BB){1'b0}}, b[p*BB +: BB]});
            s = (va <<< SA) + (vb <<< SB);
            y[p*OB +: OB] = s[OB-1:0];
        end
    end
    always @(posedge clk) begin
        if (!rst_n) out_tvalid <= 1'b0;
        else if (en) out_tvalid <= fire;
        if (fire) out_tdata <= y;
    end
endmodule
`default_nettype wire
