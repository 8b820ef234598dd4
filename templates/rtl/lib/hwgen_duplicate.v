// DuplicateStreams: fork one stream to N consumers (hwgen.units.duplicate).
//
// Stream protocol (AXI-stream valid/ready; several streams share one port as a packed bus,
// stream k at bits [k*W, (k+1)*W) of the data and bit k of valid/ready): in, one stream of W-bit
// words; out, N streams carrying the same words in the same order. Schedule (= templates/hls/lib/
// duplicate.hpp and DuplicateStreams.cycles()): one word in and one word to every output per
// cycle; an output that is not ready holds the fork (a full FIFO behind it stalls all outputs,
// the FIFOs behind them absorb the skew between branches). One shared output register: output k
// is valid until its consumer takes the word; the next word enters when every output has.
`default_nettype none

module hwgen_duplicate #(parameter integer N = 2, parameter integer W = 8) (
    input  wire            clk,
    input  wire            rst_n,
    input  wire [W-1:0]    in_tdata,
    input  wire            in_tvalid,
    output wire            in_tready,
    output wire [N*W-1:0]  out_tdata,
    output reg  [N-1:0]    out_tvalid,
    input  wire [N-1:0]    out_tready
);
    reg [W-1:0] word;
    // every output is free this cycle: empty, or its word taken now
    wire en = &(~out_tvalid | out_tready);
    wire fire = en && in_tvalid;
    assign in_tready = en;
    assign out_tdata = {N{word}};
    always @(posedge clk) begin
        if (!rst_n) out_tvalid <= {N{1'b0}};
        else if (fire) out_tvalid <= {N{1'b1}};
        else out_tvalid <= out_tvalid & ~out_tready;
        if (fire) word <= in_tdata;
    end
endmodule
`default_nettype wire
