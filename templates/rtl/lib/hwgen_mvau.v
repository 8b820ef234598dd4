// MVAU: matrix-vector-activation unit with FINN-style PE/SIMD folding (hwgen.units.mvau).
//
// Stream protocol (AXI-stream valid/ready on both ports, a transfer when valid & ready):
//   in : per frame REPS vectors of MW elements, each as SF = MW/SIMD words of SIMD x IB bits
//        (element s at bits [s*IB, (s+1)*IB)).
//   out: per vector MH results as NF = MH/PE words of PE x OB bits (element p = row nf*PE + p).
// Schedule: one PE x SIMD tile per cycle, REPS*NF*SF cycles per frame with no bubble between
// vectors or frames (= MVAU.cycles()). The SF words of a vector are read during row fold nf = 0
// and replayed from a buffer for nf = 1..NF-1, as templates/hls/lib/mvau.hpp does.
// Pipeline: S1 memory reads (weights, thresholds, input buffer: written and read in row fold 0), S2 dot products, S3 accumulate
// and activation into the output register. A full output register stalls every stage (en).
// MODE 0 XNOR: bits, acc = popcount(XNOR) over MW; thresholds in that domain; noact: 2*acc - MW.
// MODE 1 integer x binary weights: acc = sum(w ? x : -x) (computed as 2*sum(w & x) - sum(x)).  MODE 2 integer x integer: sum(x * w).
// NT thresholds per row (ascending): out = BASE + STEP * #(acc >= T_j); NT = 0: out = acc.
// Memories: weights WFILE, depth NF*SF, word nf*SF + sf holds PE x SIMD x WB bits (PE p at
// [p*SIMD*WB, ...)); thresholds TFILE, depth NF, word nf holds PE x NT x TB bits (two's complement).
`default_nettype none

module hwgen_mvau #(
    parameter integer MW = 16, parameter integer MH = 8,
    parameter integer SIMD = 1, parameter integer PE = 1,
    parameter integer MODE = 0,
    parameter integer IB = 1, parameter integer ISIGNED = 0,
    parameter integer WB = 1, parameter integer WSIGNED = 0,
    parameter integer AB = 16,
    parameter integer OB = 1,
    parameter integer NT = 1, parameter integer TB = 16,
    parameter integer BASE = 0, parameter integer STEP = 1,
    parameter WFILE = "", parameter TFILE = "",
    parameter integer WSTYLE = 0, parameter integer TSTYLE = 0
) (
    input  wire                  clk,
    input  wire                  rst_n,
    input  wire [SIMD*IB-1:0]    in_tdata,
    input  wire                  in_tvalid,
    output wire                  in_tready,
    output reg  [PE*OB-1:0]      out_tdata,
    output reg                   out_tvalid,
    input  wire                  out_tready
);
    localparam integer SF = MW / SIMD, NF = MH / PE;
    localparam integer WD = NF * SF;
    localparam integer WAW = WD > 1 ? $clog2(WD) : 1;
    localparam integer SAW = SF > 1 ? $clog2(SF) : 1;
    localparam integer NAW = NF > 1 ? $clog2(NF) : 1;
    localparam integer TW = (NT > 0 ? NT : 1) * TB;

    // ---- S0: iteration counters; a step needs an input word only in row fold 0 -------------
    reg [SAW-1:0] sf;
    reg [NAW-1:0] nf;
    reg [WAW-1:0] waddr;
    wire need_in = (nf == 0);
    wire en = !out_tvalid || out_tready;
    wire fire = en && (!need_in || in_tvalid);
    assign in_tready = en && need_in;

    always @(posedge clk) begin
        if (!rst_n) begin
            sf <= 0; nf <= 0; waddr <= 0;
        end else if (fire) begin
            waddr <= (waddr == WD - 1) ? 0 : waddr + 1'b1;
            if (sf == SF - 1) begin
                sf <= 0;
                nf <= (nf == NF - 1) ? 0 : nf + 1'b1;
            end else begin
                sf <= sf + 1'b1;
            end
        end
    end

    // ---- S1: weights, thresholds, the buffered input word ---------------------------------
    wire [PE*SIMD*WB-1:0] w1;
    hwgen_rom #(.W(PE*SIMD*WB), .D(WD), .STYLE(WSTYLE), .FILE(WFILE)) u_wmem (
        .clk(clk), .en(en), .addr(waddr), .data(w1));
    wire [PE*TW-1:0] t1;
    generate
        if (NT > 0) begin : g_tmem
            hwgen_rom #(.W(PE*TW), .D(NF), .STYLE(TSTYLE), .FILE(TFILE)) u_tmem (
                .clk(clk), .en(en), .addr(nf), .data(t1));
        end else begin : g_notmem
            assign t1 = {PE*TW{1'b0}};
        end
    endgenerate
    // the input buffer, transparent: in row fold 0 the word written now is the word read, so the
    // dot products see a plain register (a bypass mux after it would sit in every lane's LUT)
    wire [SIMD*IB-1:0] x1;
    generate
        if (NF > 1) begin : g_inbuf
            hwgen_ram #(.W(SIMD*IB), .D(SF), .STYLE(SF > 64 ? 2 : 1), .TRANSPARENT(1)) u_inbuf (
                .clk(clk), .we(fire && need_in), .waddr(sf), .wdata(in_tdata),
                .re(en), .raddr(sf), .rdata(x1));
        end else begin : g_noinbuf  // one row fold: every step takes a new word
            reg [SIMD*IB-1:0] xr;
            always @(posedge clk) if (en) xr <= in_tdata;
            assign x1 = xr;
        end
    endgenerate
    reg v1, first1, last1;
    always @(posedge clk) begin
        if (!rst_n) begin
            v1 <= 1'b0;
        end else if (en) begin
            v1 <= fire;
            first1 <= (sf == 0);
            last1 <= (sf == SF - 1);
        end
    end

    // ---- S2: one dot product of SIMD lanes per PE ------------------------------------------
    // MODE 1 uses sum(w ? x : -x) = 2 * sum(w & x) - sum(x): the plain sum of the SIMD inputs is
    // one adder tree shared by all PEs, and each PE's masked sum folds the AND into the first
    // level of its own tree (instead of a negate-and-add per lane). Exact modulo 2^AB, as before.
    localparam integer XSW = IB + (SIMD > 1 ? $clog2(SIMD) : 0);
    wire [XSW-1:0] xsum;
    generate
        if (MODE == 1) begin : g_xsum
            hwgen_sum_tree #(.N(SIMD), .B(IB), .SIGNED(ISIGNED)) u_xsum (.v(x1), .s(xsum));
        end else begin : g_noxsum
            assign xsum = {XSW{1'b0}};
        end
    endgenerate
    reg [PE*AB-1:0] sum2;
    reg [PE*TW-1:0] t2;
    reg v2, first2, last2;
    genvar p, l;
    generate
        for (p = 0; p < PE; p = p + 1) begin : g_pe
            wire [SIMD*WB-1:0] wp = w1[p*SIMD*WB +: SIMD*WB];
            wire signed [AB-1:0] dot;
            if (MODE == 0) begin : g_xnor
                hwgen_popcount #(.N(SIMD), .OW(AB)) u_pop (.bits(~(x1 ^ wp)), .count(dot));
            end else if (MODE == 1) begin : g_binw
                wire [SIMD*IB-1:0] xm;
                for (l = 0; l < SIMD; l = l + 1) begin : g_mask
                    assign xm[l*IB +: IB] = x1[l*IB +: IB] & {IB{wp[l*WB]}};
                end
                wire [XSW-1:0] msum;
                hwgen_sum_tree #(.N(SIMD), .B(IB), .SIGNED(ISIGNED)) u_msum (.v(xm), .s(msum));
                wire signed [XSW+1:0] m2 = ISIGNED ? $signed({msum[XSW-1], msum, 1'b0}) : $signed({1'b0, msum, 1'b0});
                wire signed [XSW+1:0] xs = ISIGNED ? $signed({{2{xsum[XSW-1]}}, xsum}) : $signed({2'b0, xsum});
                wire signed [XSW+1:0] d = m2 - xs;
                if (AB > XSW + 2) begin : g_ext
                    assign dot = {{(AB-XSW-2){d[XSW+1]}}, d};
                end else begin : g_trunc
                    assign dot = d[AB-1:0];
                end
            end else begin : g_int
                hwgen_dot #(.N(SIMD), .IB(IB), .ISIGNED(ISIGNED), .WB(WB), .WSIGNED(WSIGNED),
                            .BINW(0), .OW(AB)) u_dot (.x(x1), .w(wp), .sum(dot));
            end
            always @(posedge clk) if (en) sum2[p*AB +: AB] <= dot;
        end
    endgenerate
    always @(posedge clk) begin
        if (!rst_n) begin
            v2 <= 1'b0;
        end else if (en) begin
            v2 <= v1;
            first2 <= first1;
            last2 <= last1;
            t2 <= t1;
        end
    end

    // ---- S3: accumulate; on the last column fold, activate into the output register --------
    localparam integer ACTW = AB + 34;
    reg [PE*AB-1:0] acc;
    reg [PE*AB-1:0] acc_next;
    reg [PE*OB-1:0] y;
    integer q, j;
    reg signed [AB-1:0] a;
    reg signed [ACTW-1:0] act;
    always @* begin
        y = {PE*OB{1'b0}};
        for (q = 0; q < PE; q = q + 1) begin
            a = first2 ? sum2[q*AB +: AB] : acc[q*AB +: AB] + sum2[q*AB +: AB];
            acc_next[q*AB +: AB] = a;
            if (NT == 0) begin
                act = (MODE == 0) ? 2 * a - MW : a;
            end else begin
                act = BASE;
                for (j = 0; j < NT; j = j + 1)
                    if (a >= $signed(t2[(q*NT + j)*TB +: TB])) act = act + STEP;
            end
            y[q*OB +: OB] = act[OB-1:0];
        end
    end
    always @(posedge clk) begin
        if (!rst_n) begin
            out_tvalid <= 1'b0;
        end else if (en) begin
            out_tvalid <= v2 && last2;
            if (v2 && last2) out_tdata <= y;
        end
    end
    always @(posedge clk) if (en && v2) acc <= acc_next;
endmodule

// Number of 1 bits of an N-bit word, as an OW-bit count (zero-extended or truncated).
module hwgen_popcount #(parameter integer N = 8, parameter integer OW = 8) (
    input  wire [N-1:0]  bits,
    output wire [OW-1:0] count
);
    localparam integer CW = $clog2(N + 1);
    wire [CW-1:0] c;
    hwgen_popcount_tree #(.N(N)) u_tree (.bits(bits), .count(c));
    generate
        if (OW > CW) begin : g_ext
            assign count = {{(OW-CW){1'b0}}, c};
        end else begin : g_trunc
            assign count = c[OW-1:0];
        end
    endgenerate
endmodule

// Popcount as a balanced tree: groups of 3 bits counted in plain logic (2 outputs of 3 inputs;
// an XNOR in front merges into the same LUT6, so 3 XNOR lanes cost 2 LUTs), then adders whose
// widths grow by one bit per level. Measured with Yosys 0.23 (64 XNOR lanes, registered in and
// out): 121 LUT against 167 for a linear chain of 1-bit adds.
module hwgen_popcount_tree #(parameter integer N = 3) (
    input  wire [N-1:0]               bits,
    output wire [$clog2(N + 1)-1:0]   count
);
    localparam integer G = (N + 2) / 3;       // groups of 3
    localparam integer NL = 3 * ((G + 1) / 2); // bits of the left half (whole groups)
    generate
        if (N == 1) begin : g1
            assign count = bits;
        end else if (N == 2) begin : g2
            assign count = {bits[0] & bits[1], bits[0] ^ bits[1]};
        end else if (N == 3) begin : g3
            assign count = {(bits[0] & bits[1]) | (bits[0] & bits[2]) | (bits[1] & bits[2]),
                            bits[0] ^ bits[1] ^ bits[2]};
        end else begin : gn
            wire [$clog2(NL + 1)-1:0] a;
            wire [$clog2(N - NL + 1)-1:0] b;
            hwgen_popcount_tree #(.N(NL)) u_a (.bits(bits[NL-1:0]), .count(a));
            hwgen_popcount_tree #(.N(N - NL)) u_b (.bits(bits[N-1:NL]), .count(b));
            assign count = a + b;
        end
    endgenerate
endmodule

// Sum of N B-bit values (two's complement if SIGNED) as a balanced adder tree, B + clog2(N) bits
// (exact: |sum| <= N * 2^(B-1) signed, < N * 2^B unsigned).
module hwgen_sum_tree #(parameter integer N = 2, parameter integer B = 8, parameter integer SIGNED = 1) (
    input  wire [N*B-1:0]                        v,
    output wire [B + (N > 1 ? $clog2(N) : 0)-1:0] s
);
    localparam integer SW = B + (N > 1 ? $clog2(N) : 0);
    localparam integer NL = (N + 1) / 2;
    localparam integer LW = B + (NL > 1 ? $clog2(NL) : 0);
    localparam integer RW = B + (N - NL > 1 ? $clog2(N - NL) : 0);
    generate
        if (N == 1) begin : g1
            assign s = v;
        end else begin : gn
            wire [LW-1:0] a;
            wire [RW-1:0] b;
            hwgen_sum_tree #(.N(NL), .B(B), .SIGNED(SIGNED)) u_a (.v(v[NL*B-1:0]), .s(a));
            hwgen_sum_tree #(.N(N - NL), .B(B), .SIGNED(SIGNED)) u_b (.v(v[N*B-1:NL*B]), .s(b));
            wire [SW-1:0] ae = SIGNED ? {{(SW-LW){a[LW-1]}}, a} : {{(SW-LW){1'b0}}, a};
            wire [SW-1:0] be = SIGNED ? {{(SW-RW){b[RW-1]}}, b} : {{(SW-RW){1'b0}}, b};
            assign s = ae + be;
        end
    endgenerate
endmodule

// Signed dot product of N lanes: x (IB bits, signed if ISIGNED) times w (WB bits, signed if
// WSIGNED), or with BINW the conditional negation w ? x : -x (a bit for +-1).
module hwgen_dot #(
    parameter integer N = 1, parameter integer IB = 8, parameter integer ISIGNED = 1,
    parameter integer WB = 1, parameter integer WSIGNED = 0, parameter integer BINW = 1,
    parameter integer OW = 16
) (
    input  wire [N*IB-1:0]       x,
    input  wire [N*WB-1:0]       w,
    output wire signed [OW-1:0]  sum
);
    integer i;
    reg signed [IB:0] xe;
    reg signed [WB:0] we;
    reg signed [IB+WB+1:0] prod;
    reg signed [OW-1:0] s;
    always @* begin
        s = 0;
        for (i = 0; i < N; i = i + 1) begin
            xe = ISIGNED ? $signed({x[i*IB + IB - 1], x[i*IB +: IB]}) : $signed({1'b0, x[i*IB +: IB]});
            we = WSIGNED ? $signed({w[i*WB + WB - 1], w[i*WB +: WB]}) : $signed({1'b0, w[i*WB +: WB]});
            if (BINW) prod = w[i*WB] ? xe : -xe;
            else prod = xe * we;
            s = s + prod;
        end
    end
    assign sum = s;
endmodule
`default_nettype wire
