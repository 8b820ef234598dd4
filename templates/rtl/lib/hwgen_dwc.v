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
    wire [CAP*B-1:0] shifted = pop ? (buffer >> (OUT*B)) : buffer;
    wire [CAP*B-1:0] incoming = {{(CAP-IN)*B{1'b0}}, in_tdata};
    always @(posedge clk) begin
        if (!rst_n) begin
            have <= 0;
        end else begin
            buffer <= push ? (shifted | (incoming << (left * B))) : shifted;
            have <= left + (push ? IN : 0);
        end
    end
endmodule
`default_nettype wire
