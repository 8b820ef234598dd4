// StreamingConcat: channel concatenation of N streams (hwgen.units.concat), NHWC.
//
// Stream protocol (AXI-stream valid/ready; the N inputs share one port as a packed bus, input k
// at bits [k*W, (k+1)*W) of the data and bit k of valid/ready): input k carries PIXELS*WORDS_k
// words of W bits (WORDS_k = C_k/PE, any counts: WORDS packs them 32 bits each, input 0
// lowest); out, per pixel input 0's WORDS_0 words, then input 1's, ... Schedule (=
// templates/hls/lib/concat.hpp and StreamingConcat.cycles()): one word read from the input whose
// turn it is and one written per cycle, PIXELS*sum(WORDS_k) cycles per frame; only that input
// sees ready. Output register.
`default_nettype none

module hwgen_concat #(
    parameter integer N = 2, parameter integer W = 8,
    parameter [32*N-1:0] WORDS = {32'd1, 32'd1}
) (
    input  wire            clk,
    input  wire            rst_n,
    input  wire [N*W-1:0]  in_tdata,
    input  wire [N-1:0]    in_tvalid,
    output wire [N-1:0]    in_tready,
    output reg  [W-1:0]    out_tdata,
    output reg             out_tvalid,
    input  wire            out_tready
);
    function integer most_words(input integer unused);
        integer i;
        begin
            most_words = 1;
            for (i = 0; i < N; i = i + 1)
                if (WORDS[i*32 +: 32] > most_words) most_words = WORDS[i*32 +: 32];
        end
    endfunction
    localparam integer KW = N > 1 ? $clog2(N) : 1;
    localparam integer JW = most_words(0) > 1 ? $clog2(most_words(0)) : 1;
    reg [KW-1:0] k;     // the input whose turn it is
    reg [JW-1:0] j;     // word of input k within this pixel
    wire [31:0] words_k = WORDS[k*32 +: 32];
    wire [JW-1:0] last_j = words_k[JW-1:0] - 1'b1;
    wire en = !out_tvalid || out_tready;
    wire fire = en && in_tvalid[k];
    assign in_tready = en ? ({{(N-1){1'b0}}, 1'b1} << k) : {N{1'b0}};
    always @(posedge clk) begin
        if (!rst_n) begin
            k <= 0; j <= 0; out_tvalid <= 1'b0;
        end else begin
            if (en) out_tvalid <= fire;
            if (fire) begin
                if (j == last_j) begin
                    j <= 0;
                    k <= (k == N - 1) ? 0 : k + 1'b1;
                end else j <= j + 1'b1;
            end
        end
        if (fire) out_tdata <= in_tdata[k*W +: W];
    end
endmodule
`default_nettype wire
