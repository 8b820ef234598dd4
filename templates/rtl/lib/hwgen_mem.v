// hwgen RTL library: memories shared by every unit.
//
// hwgen_rom: a W x D read-only memory loaded from a $readmemh file (one hex word per line),
//   registered read: data is mem[addr] one cycle after a clock edge with en = 1.
// hwgen_ram: a W x D simple dual-port memory (one write port, one registered read port);
//   with TRANSPARENT = 1 a read of the address written in the same cycle returns the new word
//   (the bypass sits in front of the read register, so the reader sees a plain register).
// STYLE picks the primitive the way the cost model decided (hwgen.units.cost.memory):
//   0 = let the tool choose, 1 = distributed (LUTRAM), 2 = block (BRAM18/36), 3 = registers.
// Yosys (memory_libmap) and Vivado both read the ram_style/rom_style attributes.
`default_nettype none

module hwgen_rom #(
    parameter integer W = 8,
    parameter integer D = 2,
    parameter integer STYLE = 0,
    parameter FILE = ""
) (
    input  wire                      clk,
    input  wire                      en,
    input  wire [(D > 1 ? $clog2(D) : 1)-1:0] addr,
    output reg  [W-1:0]              data
);
    generate
        if (STYLE == 1) begin : g_dist
`ifdef YOSYS
            // Yosys has no LUTRAM mapping for a memory without a write port: a ROM in LUTs is logic
            (* rom_style = "logic" *) reg [W-1:0] mem [0:D-1];
`else
            (* rom_style = "distributed", ram_style = "distributed" *) reg [W-1:0] mem [0:D-1];
`endif
            initial $readmemh(FILE, mem);
            always @(posedge clk) if (en) data <= mem[addr];
        end else if (STYLE == 2) begin : g_block
            (* rom_style = "block", ram_style = "block" *) reg [W-1:0] mem [0:D-1];
            initial $readmemh(FILE, mem);
            always @(posedge clk) if (en) data <= mem[addr];
        end else if (STYLE == 3) begin : g_reg
            (* rom_style = "logic", ram_style = "logic" *) reg [W-1:0] mem [0:D-1];
            initial $readmemh(FILE, mem);
            always @(posedge clk) if (en) data <= mem[addr];
        end else begin : g_auto
            reg [W-1:0] mem [0:D-1];
            initial $readmemh(FILE, mem);
            always @(posedge clk) if (en) data <= mem[addr];
        end
    endgenerate
endmodule

module hwgen_ram #(
    parameter integer W = 8,
    parameter integer D = 2,
    parameter integer STYLE = 0,
    parameter integer TRANSPARENT = 0
) (
    input  wire                      clk,
    input  wire                      we,
    input  wire [(D > 1 ? $clog2(D) : 1)-1:0] waddr,
    input  wire [W-1:0]              wdata,
    input  wire                      re,
    input  wire [(D > 1 ? $clog2(D) : 1)-1:0] raddr,
    output reg  [W-1:0]              rdata
);
    generate
        if (STYLE == 1) begin : g_dist
            (* ram_style = "distributed" *) reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                if (re) rdata <= (TRANSPARENT && we && waddr == raddr) ? wdata : mem[raddr];
            end
        end else if (STYLE == 2) begin : g_block
            (* ram_style = "block" *) reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                if (re) rdata <= (TRANSPARENT && we && waddr == raddr) ? wdata : mem[raddr];
            end
        end else if (STYLE == 3) begin : g_reg
            (* ram_style = "logic" *) reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                if (re) rdata <= (TRANSPARENT && we && waddr == raddr) ? wdata : mem[raddr];
            end
        end else begin : g_auto
            reg [W-1:0] mem [0:D-1];
            always @(posedge clk) begin
                if (we) mem[waddr] <= wdata;
                if (re) rdata <= (TRANSPARENT && we && waddr == raddr) ? wdata : mem[raddr];
            end
        end
    endgenerate
endmodule
`default_nettype wire
