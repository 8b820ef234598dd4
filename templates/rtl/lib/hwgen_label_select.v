// LabelSelect: indices of the K largest of N scores, best first; ties: the lower index wins
// (hwgen.units.label_select).
//
// Stream protocol (AXI-stream valid/ready): in, N scores as words of PE x IB bits (signed if
// ISIGNED); out, K indices, one per word of OB bits. Each cycle inserts the PE scores of a word
// into a sorted list of K (score, index) registers (every slot compares in parallel, then
// shifts; strictly greater, so an equal later score never overtakes). The last word of a frame
// moves the list to an output buffer; its K words leave before the next frame is read, as
// templates/hls/lib/label_select.hpp does: N/PE + K cycles per frame (= LabelSelect.cycles()).
`default_nettype none

module hwgen_label_select #(
    parameter integer N = 10, parameter integer K = 1, parameter integer PE = 1,
    parameter integer IB = 8, parameter integer ISIGNED = 1, parameter integer OB = 8
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire [PE*IB-1:0]  in_tdata,
    input  wire              in_tvalid,
    output wire              in_tready,
    output wire [OB-1:0]     out_tdata,
    output wire              out_tvalid,
    input  wire              out_tready
);
    localparam integer NW = N / PE;
    localparam integer IW = NW > 1 ? $clog2(NW) : 1;
    localparam integer XW = N > 1 ? $clog2(N) : 1;  // index bits
    localparam integer CW = $clog2(K + 1);

    reg [IW-1:0] i;
    reg signed [IB:0] best [0:K-1];
    reg [XW-1:0] index [0:K-1];
    reg [K-1:0] valid;
    reg [K*OB-1:0] obuf;
    reg [CW-1:0] ocnt;

    wire last_word = (i == NW - 1);
    wire pop = out_tvalid && out_tready;
    assign out_tvalid = ocnt != 0;
    assign out_tdata = obuf[OB-1:0];
    assign in_tready = ocnt == 0;
    wire fire = in_tvalid && in_tready;

    // the list after inserting this word's PE scores, in lane order
    reg signed [IB:0] nbest [0:K-1];
    reg [XW-1:0] nindex [0:K-1];
    reg [K-1:0] nvalid, beats;
    reg signed [IB:0] v;
    reg [K*OB-1:0] flat;
    integer p, j;
    always @* begin
        for (j = 0; j < K; j = j + 1) begin
            nbest[j] = best[j]; nindex[j] = index[j];
        end
        nvalid = valid;
        for (p = 0; p < PE; p = p + 1) begin
            v = ISIGNED ? $signed({in_tdata[p*IB + IB - 1], in_tdata[p*IB +: IB]})
                        : $signed({1'b0, in_tdata[p*IB +: IB]});
            for (j = 0; j < K; j = j + 1) beats[j] = !nvalid[j] || v > nbest[j];
            for (j = K - 1; j >= 0; j = j - 1) begin
                if (j > 0 && beats[j - 1]) begin
                    nbest[j] = nbest[j - 1]; nindex[j] = nindex[j - 1]; nvalid[j] = nvalid[j - 1];
                end else if (beats[j]) begin
                    nbest[j] = v; nindex[j] = i * PE + p; nvalid[j] = 1'b1;
                end
            end
        end
        flat = {K*OB{1'b0}};
        for (j = 0; j < K; j = j + 1) flat[j*OB +: OB] = nindex[j];
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            i <= 0; valid <= 0; ocnt <= 0;
        end else begin
            if (pop) begin
                obuf <= obuf >> OB;
                ocnt <= ocnt - 1'b1;
            end
            if (fire) begin
                if (last_word) begin
                    i <= 0;
                    valid <= 0;
                    obuf <= flat;
                    ocnt <= K;
                end else begin
                    i <= i + 1'b1;
                    valid <= nvalid;
                    for (j = 0; j < K; j = j + 1) begin
                        best[j] <= nbest[j]; index[j] <= nindex[j];
                    end
                end
            end
        end
    end
endmodule
`default_nettype wire
