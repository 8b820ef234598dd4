// AXI-stream adapters between the top-level ports (the AXI DMA's) and the element streams.
//
// Top-level TDATA words carry EPW elements of B bits from bit 0 up; the bits above EPW*B are
// zero (TDATA widths are powers of two, as the DMA needs). hwgen_axis_in drops the padding;
// hwgen_axis_out pads, sets TKEEP all ones and TLAST on the last of every WORDS words (the end
// of a frame), as templates/hls/lib/axis.hpp does.
`default_nettype none

module hwgen_axis_in #(parameter integer AXI = 8, parameter integer W = 1) (
    input  wire [AXI-1:0]  s_axis_tdata,
    input  wire            s_axis_tvalid,
    output wire            s_axis_tready,
    output wire [W-1:0]    out_tdata,
    output wire            out_tvalid,
    input  wire            out_tready
);
    assign out_tdata = s_axis_tdata[W-1:0];
    assign out_tvalid = s_axis_tvalid;
    assign s_axis_tready = out_tready;
endmodule

module hwgen_axis_out #(parameter integer AXI = 8, parameter integer W = 1, parameter integer WORDS = 1) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [W-1:0]      in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output wire [AXI-1:0]    m_axis_tdata,
    output wire [AXI/8-1:0]  m_axis_tkeep,
    output wire              m_axis_tlast,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready
);
    localparam integer CW = WORDS > 1 ? $clog2(WORDS) : 1;
    reg [CW-1:0] n;
    generate
        if (AXI > W) begin : g_pad
            assign m_axis_tdata = {{(AXI-W){1'b0}}, in_tdata};
        end else begin : g_nopad
            assign m_axis_tdata = in_tdata;
        end
    endgenerate
    assign m_axis_tkeep = {(AXI/8){1'b1}};
    assign m_axis_tlast = (n == WORDS - 1);
    assign m_axis_tvalid = in_tvalid;
    assign in_tready = m_axis_tready;
    always @(posedge clk) begin
        if (!rst_n) n <= 0;
        else if (in_tvalid && m_axis_tready) n <= (n == WORDS - 1) ? 0 : n + 1'b1;
    end
endmodule
`default_nettype wire
