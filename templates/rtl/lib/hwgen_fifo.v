// FIFO: a first-word-fall-through stream buffer of W-bit words: a DEPTH-word memory plus the
// output register (DEPTH + 1 words in all).
//
// Stream protocol (AXI-stream valid/ready): words leave in arrival order; in_tready while the
// memory has room (it does not wait on out_tready, so a FIFO cuts the combinational ready path
// between units). Storage: the memory (STYLE: 0 auto, 1 LUTRAM, 2 BRAM, 3 registers) with a
// registered read that refills the output register: one word per cycle in and out. Under Verilator a `final` block prints the peak occupancy for hwgen's rtlsim
// report (HWGEN_FIFO <instance> peak=<n> depth=<DEPTH> now=<n>).
`default_nettype none

module hwgen_fifo #(
    parameter integer W = 8,
    parameter integer DEPTH = 2,
    parameter integer STYLE = 0
) (
    input  wire          clk,
    input  wire          rst_n,
    input  wire [W-1:0]  in_tdata,
    input  wire          in_tvalid,
    output wire          in_tready,
    output wire [W-1:0]  out_tdata,
    output reg           out_tvalid,
    input  wire          out_tready
);
    localparam integer MD = DEPTH;
    localparam integer AW = MD > 1 ? $clog2(MD) : 1;
    localparam integer CW = $clog2(DEPTH + 1) + 1;
    reg [AW-1:0] wptr, rptr;
    reg [CW-1:0] mcount;  // words in the memory
    wire [CW-1:0] total = mcount + out_tvalid;
    assign in_tready = mcount < MD;
    wire push = in_tvalid && in_tready;
    wire pop_mem = mcount != 0 && (!out_tvalid || out_tready);

    hwgen_ram #(.W(W), .D(MD), .STYLE(STYLE)) u_mem (
        .clk(clk), .we(push), .waddr(wptr), .wdata(in_tdata),
        .re(pop_mem), .raddr(rptr), .rdata(out_tdata));

    always @(posedge clk) begin
        if (!rst_n) begin
            wptr <= 0; rptr <= 0; mcount <= 0; out_tvalid <= 1'b0;
        end else begin
            if (push) wptr <= (wptr == MD - 1) ? 0 : wptr + 1'b1;
            if (pop_mem) rptr <= (rptr == MD - 1) ? 0 : rptr + 1'b1;
            mcount <= mcount + push - pop_mem;
            if (pop_mem) out_tvalid <= 1'b1;
            else if (out_tready) out_tvalid <= 1'b0;
        end
    end

`ifdef VERILATOR
    reg [CW-1:0] peak;
    always @(posedge clk) begin
        if (!rst_n) peak <= 0;
        else if (total > peak) peak <= total;
    end
    final $display("HWGEN_FIFO %m peak=%0d depth=%0d now=%0d", peak, DEPTH + 1, total);
`endif
endmodule
`default_nettype wire
