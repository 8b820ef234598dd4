// DataWidthConverter: re-cut a stream of IN-element words into OUT-element words (B bits each).
//
// Stream protocol (AXI-stream valid/ready): element order is kept; no frame state (a frame is a
// whole number of both word sizes, so the buffer is empty between frames). A shift buffer of
// IN + OUT elements: out_tvalid while it holds >= OUT elements; an input word is taken in the
// same cycle as an output word leaves when the room allows, so the converter runs at the rate
// of its wider side: max(TOTAL/IN, TOTAL/OUT) cycles per frame.
`default_nettype none

module hwgen_dwc #(
    parameter integer IN = 1, parameter integer OUT = 1, parameter integer B = 1
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [IN*B-1:0]   in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output wire [OUT*B-1:0]  out_tdata,
    output wire              out_tvalid,
    input  wire              out_tready
);
    localparam integer CAP = IN + OUT;
    localparam integer HW = $clog2(CAP + 1) + 1;
    reg [CAP*B-1:0] buffer;
    reg [HW-1:0] have;
    assign out_tvalid = have >= OUT;
    assign out_tdata = buffer[OUT*B-1:0];
    wire pop = out_tvalid && out_tready;
    wire [HW-1:0] left = pop ? have - OUT : have;
    assign in_tready = left + IN <= CAP;
    wire push = in_tvalid && in_tready;
    // The element count is always a multiple of G = gcd(IN, OUT), so an input word lands at one
    // of CAP/G positions. When IN divides OUT or OUT divides IN, each buffer slot picks between
    // its shifted value and the one or few input elements that can reach it (Yosys 0.23: 16 -> 64
    // bits 98 LUT against 203 for a shifter); other ratios keep the shifter, which is smaller there.
    function integer gcd(input integer a, input integer b);
        integer x, y, t;
        begin
            x = a; y = b;
            while (y != 0) begin t = x % y; x = y; y = t; end
            gcd = x;
        end
    endfunction
    localparam integer G = gcd(IN, OUT);
    localparam integer SLOTS = (IN % OUT == 0 || OUT % IN == 0);  // else a shifter is smaller (8 -> 3: 314 vs 407 LUT)
    reg [CAP*B-1:0] nb;
    integer e, k;
    always @* begin
        if (!SLOTS) begin
            nb = pop ? (buffer >> (OUT*B)) : buffer;
            if (push) nb = nb | ({{(CAP-IN)*B{1'b0}}, in_tdata} << (left * B));
        end else for (e = 0; e < CAP; e = e + 1) begin
            if (!pop) nb[e*B +: B] = buffer[e*B +: B];
            else if (e + OUT < CAP) nb[e*B +: B] = buffer[(e + OUT)*B +: B];
            else nb[e*B +: B] = {B{1'b0}};
            // a word is written at left <= CAP - IN (in_tready): at most 2 positions when OUT | IN
            for (k = 0; k * G <= e && k * G <= CAP - IN; k = k + 1)
                if (push && left == k * G && e < k * G + IN) nb[e*B +: B] = in_tdata[(e - k*G)*B +: B];
        end
    end
    always @(posedge clk) begin
        if (!rst_n) begin
            have <= 0;
        end else begin
            buffer <= nb;
            have <= left + (push ? IN : 0);
        end
    end
endmodule
`default_nettype wire
