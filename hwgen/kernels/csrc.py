"""C source of the simulator's binary kernels (compiled and loaded by hwgen.kernels.popcount).

Two windowed products, both reading a padded NHWC image in place (im2col without the copy):
``hw_xnor_conv`` for packed binary pixels x binary weights (XNOR-popcount) and ``hw_int_conv``
for small integer codes x binary (+-1) weights (CNV's 8-bit first layer, K = 27). Each has a
portable C path and an AVX-512 path chosen at run time with ``__builtin_cpu_supports`` (the
library may be built on one machine and the CPU may lack the instructions); ``hw_force_generic``
pins the portable path so tests can compare the two with ==. Row blocks are spread over cores
with OpenMP when the compiler has it.

Geometry ``g`` = (N, HP, WP, CW, KH, KW, SH, SW, OH, OW): a padded (N, HP, WP, CW) image of
elements (64-bit words of packed pixels, or int16 codes); output row r = (n, oy, ox) reads
KH rows of KW*CW contiguous elements. Fully connected layers are the 1x1 case.
"""

from __future__ import annotations

SOURCE = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HW_X86 1
#endif

#define RB 32 /* output rows per block: one block's rows and results stay in L1 */

/* 0: the best path this CPU has; 1: no AVX-512 VNNI; 2: portable C only (tests compare them) */
static int force_generic = 0;
void hw_force_generic(int level) { force_generic = level; }

int hw_fast_xnor(void) {
#ifdef HW_X86
    __builtin_cpu_init();
    return force_generic < 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
#else
    return 0;
#endif
}

int hw_fast_int(void) {
#ifdef HW_X86
    __builtin_cpu_init();
    return force_generic < 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
#else
    return 0;
#endif
}

int hw_fast_vnni(void) {
#ifdef HW_X86
    __builtin_cpu_init();
    return force_generic == 0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512vnni");
#else
    return 0;
#endif
}

/* the window of output row r: a pointer into the image when the window is one contiguous run
   (KH == 1), else its KH runs copied into buf */
static const char *row_ptr(const char *x, const long *g, long r, long esz, char *buf) {
    const long hp = g[1], wp = g[2], cw = g[3], kh = g[4], kw = g[5], sh = g[6], sw = g[7];
    const long oh = g[8], ow = g[9];
    const long b = r / (oh * ow), p = r % (oh * ow), oy = p / ow, ox = p % ow;
    const long seg = kw * cw * esz;
    const char *base = x + ((b * hp + oy * sh) * wp + ox * sw) * cw * esz;
    if (kh == 1) return base;
    for (long i = 0; i < kh; ++i) memcpy(buf + i * seg, base + i * wp * cw * esz, (size_t)seg);
    return buf;
}

/* results of a block: q (nr, mpad) int32 -> thresholds counts (int8) or accumulators (int32) */
static void finish(const int32_t *q, long nr, long m, long mpad, const int32_t *T, long nt,
                   long r0, void *out, int xnor, long kbits) {
    if (nt == 0) {
        int32_t *o = (int32_t *)out + r0 * m;
        for (long r = 0; r < nr; ++r)
            for (long j = 0; j < m; ++j)
                o[r * m + j] = xnor ? 2 * q[r * mpad + j] - (int32_t)kbits : q[r * mpad + j];
        return;
    }
    int8_t *o = (int8_t *)out + r0 * m;
    if (nt == 1) {
        for (long r = 0; r < nr; ++r)
            for (long j = 0; j < m; ++j) o[r * m + j] = (int8_t)(q[r * mpad + j] >= T[j]);
        return;
    }
    for (long r = 0; r < nr; ++r)
        for (long j = 0; j < m; ++j) {
            const int32_t v = q[r * mpad + j];
            int32_t c = 0;
            for (long t = 0; t < nt; ++t) c += v >= T[j * nt + t];
            o[r * m + j] = (int8_t)c;
        }
}

/* ---- XNOR-popcount: q[r][j] = kbits - popcount(x_r XOR w_j), weights blocked (M/8, words, 8) */
static void xnor_q_generic(const uint64_t *const *rows, long nr, const uint64_t *wb, long mb,
                           long words, long kbits, int32_t *q, long mpad) {
    for (long r = 0; r < nr; ++r)
        for (long jb = 0; jb < mb; ++jb)
            for (long l = 0; l < 8; ++l) {
                long pc = 0;
                for (long k = 0; k < words; ++k)
                    pc += __builtin_popcountll(rows[r][k] ^ wb[(jb * words + k) * 8 + l]);
                q[r * mpad + jb * 8 + l] = (int32_t)(kbits - pc);
            }
}

#ifdef HW_X86
#define XSTEP(a, x) a = _mm512_add_epi64(a, _mm512_popcnt_epi64(_mm512_xor_si512(wv, _mm512_set1_epi64((long long)(x)[k]))))
#define XSTORE(a, rr) _mm256_storeu_si256((__m256i *)(q + (rr) * mpad + jb * 8), _mm512_cvtepi64_epi32(_mm512_sub_epi64(kb, a)))
__attribute__((target("avx512f,avx512vpopcntdq")))
static void xnor_q_avx512(const uint64_t *const *rows, long nr, const uint64_t *wb, long mb,
                          long words, long kbits, int32_t *q, long mpad) {
    const __m512i kb = _mm512_set1_epi64(kbits);
    long r = 0;
    for (; r + 4 <= nr; r += 4) { /* four rows share each weight load */
        const uint64_t *x0 = rows[r], *x1 = rows[r + 1], *x2 = rows[r + 2], *x3 = rows[r + 3];
        for (long jb = 0; jb < mb; ++jb) {
            const uint64_t *w = wb + jb * words * 8;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (long k = 0; k < words; ++k) {
                const __m512i wv = _mm512_loadu_si512((const void *)(w + k * 8));
                XSTEP(a0, x0); XSTEP(a1, x1); XSTEP(a2, x2); XSTEP(a3, x3);
            }
            XSTORE(a0, r); XSTORE(a1, r + 1); XSTORE(a2, r + 2); XSTORE(a3, r + 3);
        }
    }
    for (; r < nr; ++r) {
        const uint64_t *x0 = rows[r];
        for (long jb = 0; jb < mb; ++jb) {
            const uint64_t *w = wb + jb * words * 8;
            __m512i a0 = _mm512_setzero_si512();
            for (long k = 0; k < words; ++k) {
                const __m512i wv = _mm512_loadu_si512((const void *)(w + k * 8));
                XSTEP(a0, x0);
            }
            XSTORE(a0, r);
        }
    }
}
#endif

/* out (R, m): thresholds counts (int8; nt >= 1) or signed +-1 dot products (int32; nt == 0) */
void hw_xnor_conv(const uint64_t *x, const long *g, const uint64_t *wb, long m, long words, long kbits,
                  const int32_t *T, long nt, void *out) {
    const long R = g[0] * g[8] * g[9], mb = (m + 7) / 8, mpad = mb * 8, nblk = (R + RB - 1) / RB;
    const int fast = hw_fast_xnor();
    (void)fast;
    #pragma omp parallel if (R * mpad * words > (1L << 20))
    {
        uint64_t *buf = (uint64_t *)malloc(sizeof(uint64_t) * (size_t)(RB * words));
        int32_t *q = (int32_t *)malloc(sizeof(int32_t) * (size_t)(RB * mpad));
        const uint64_t *rows[RB];
        #pragma omp for schedule(dynamic)
        for (long bl = 0; bl < nblk; ++bl) {
            const long r0 = bl * RB, nr = R - r0 < RB ? R - r0 : RB;
            for (long i = 0; i < nr; ++i)
                rows[i] = (const uint64_t *)row_ptr((const char *)x, g, r0 + i, 8, (char *)(buf + i * words));
#ifdef HW_X86
            if (fast) xnor_q_avx512(rows, nr, wb, mb, words, kbits, q, mpad);
            else
#endif
                xnor_q_generic(rows, nr, wb, mb, words, kbits, q, mpad);
            finish(q, nr, m, mpad, T, nt, r0, out, 1, kbits);
        }
        free(buf);
        free(q);
    }
}

/* ---- integer codes x +-1 weights: q[r][j] = sum_k x_k w_jk = 2 * sum_{w_jk = +1} x_k - sum_k x_k,
   weights as bit masks wm[(jb * K + k)] (bit l: weight of output jb*32+l is +1) */
static void int_q_generic(const int16_t *const *rows, long nr, const uint32_t *wm, long mb, long K,
                          int32_t *q, long mpad) {
    for (long r = 0; r < nr; ++r) {
        const int16_t *x = rows[r];
        int32_t s = 0;
        for (long k = 0; k < K; ++k) s += x[k];
        for (long jb = 0; jb < mb; ++jb)
            for (long l = 0; l < 32; ++l) {
                int32_t a = 0;
                for (long k = 0; k < K; ++k) a += ((wm[jb * K + k] >> l) & 1u) ? x[k] : 0;
                q[r * mpad + jb * 32 + l] = 2 * a - s;
            }
    }
}

#ifdef HW_X86
#define ISTEP(a, x) a = _mm512_mask_add_epi16(a, mk, a, _mm512_set1_epi16((x)[k]))
__attribute__((target("avx512f,avx512bw")))
static void int_store(int32_t *dst, __m512i a, int32_t s) {
    /* 2a - s in int16 (the caller checked 2 * K * max|x| < 2^15), widened to 32 lanes of int32 */
    const __m512i d = _mm512_sub_epi16(_mm512_add_epi16(a, a), _mm512_set1_epi16((short)s));
    _mm512_storeu_si512((void *)dst, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(d)));
    _mm512_storeu_si512((void *)(dst + 16), _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(d, 1)));
}

__attribute__((target("avx512f,avx512bw")))
static void int_q_avx512(const int16_t *const *rows, long nr, const uint32_t *wm, long mb, long K,
                         int32_t *q, long mpad) {
    long r = 0;
    for (; r < nr; r += 4) {
        const long n4 = nr - r < 4 ? nr - r : 4;
        const int16_t *x[4];
        int32_t s[4] = {0, 0, 0, 0};
        for (long i = 0; i < 4; ++i) x[i] = rows[r + (i < n4 ? i : 0)];
        for (long i = 0; i < 4; ++i)
            for (long k = 0; k < K; ++k) s[i] += x[i][k];
        for (long jb = 0; jb < mb; ++jb) {
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (long k = 0; k < K; ++k) {
                const __mmask32 mk = (__mmask32)wm[jb * K + k];
                ISTEP(a0, x[0]); ISTEP(a1, x[1]); ISTEP(a2, x[2]); ISTEP(a3, x[3]);
            }
            int_store(q + r * mpad + jb * 32, a0, s[0]);
            if (n4 > 1) int_store(q + (r + 1) * mpad + jb * 32, a1, s[1]);
            if (n4 > 2) int_store(q + (r + 2) * mpad + jb * 32, a2, s[2]);
            if (n4 > 3) int_store(q + (r + 3) * mpad + jb * 32, a3, s[3]);
        }
    }
}
#endif

#ifdef HW_X86
/* codes x in [lo, lo + 255] as bytes u = x - lo: sum_k x_k w_k = sum_k u_k w_k + lo * sum_k w_k, the
   first sum by vpdpbusd (4 byte products per int32 lane, no saturation); weights as int8 +-1 laid
   out (M/16, K/4, 16, 4), zero for padding */
#define VSTEP(a, x) a = _mm512_dpbusd_epi32(a, _mm512_set1_epi32(*(const int32_t *)((x) + 4 * k)), wv)
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void int_q_vnni(const uint8_t *const *rows, long nr, const int8_t *w8, const int32_t *wsum, long mb16,
                       long k4, int32_t lo, int32_t *q, long mpad) {
    for (long r = 0; r < nr; r += 4) {
        const long n4 = nr - r < 4 ? nr - r : 4;
        const uint8_t *x[4];
        for (long i = 0; i < 4; ++i) x[i] = rows[r + (i < n4 ? i : 0)];
        for (long jb = 0; jb < mb16; ++jb) {
            const int8_t *w = w8 + jb * k4 * 64;
            __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
            for (long k = 0; k < k4; ++k) {
                const __m512i wv = _mm512_loadu_si512((const void *)(w + k * 64));
                VSTEP(a0, x[0]); VSTEP(a1, x[1]); VSTEP(a2, x[2]); VSTEP(a3, x[3]);
            }
            const __m512i c = _mm512_mullo_epi32(_mm512_set1_epi32(lo), _mm512_loadu_si512((const void *)(wsum + jb * 16)));
            __m512i *dst = (__m512i *)(q + r * mpad + jb * 16);
            _mm512_storeu_si512((void *)dst, _mm512_add_epi32(a0, c));
            if (n4 > 1) _mm512_storeu_si512((void *)(q + (r + 1) * mpad + jb * 16), _mm512_add_epi32(a1, c));
            if (n4 > 2) _mm512_storeu_si512((void *)(q + (r + 2) * mpad + jb * 16), _mm512_add_epi32(a2, c));
            if (n4 > 3) _mm512_storeu_si512((void *)(q + (r + 3) * mpad + jb * 16), _mm512_add_epi32(a3, c));
        }
    }
}
#endif

/* out (R, m): thresholds counts (int8) or accumulators (int32). Codes lie in [lo, hi]; wm: sign
   masks (M/32, K); w8, wsum: the VNNI layout and per-output weight sums (M padded to 32) */
void hw_int_conv(const int16_t *x, const long *g, const uint32_t *wm, const int8_t *w8, const int32_t *wsum,
                 long m, long K, long lo, long hi, const int32_t *T, long nt, void *out) {
    const long R = g[0] * g[8] * g[9], mb = (m + 31) / 32, mpad = mb * 32, nblk = (R + RB - 1) / RB;
    const long xmax = hi > -lo ? hi : -lo, k4 = (K + 3) / 4;
    const int vnni = hw_fast_vnni() && hi - lo <= 255;
    const int fast = hw_fast_int() && 2 * K * xmax < 32768;
    (void)fast; (void)vnni; (void)w8; (void)wsum;
    #pragma omp parallel if (R * mpad * K > (1L << 22))
    {
        int16_t *buf = (int16_t *)malloc(sizeof(int16_t) * (size_t)(RB * K));
        uint8_t *ubuf = (uint8_t *)calloc((size_t)(RB * k4 * 4), 1);
        int32_t *q = (int32_t *)malloc(sizeof(int32_t) * (size_t)(RB * mpad));
        const int16_t *rows[RB];
        const uint8_t *urows[RB];
        #pragma omp for schedule(dynamic)
        for (long bl = 0; bl < nblk; ++bl) {
            const long r0 = bl * RB, nr = R - r0 < RB ? R - r0 : RB;
            for (long i = 0; i < nr; ++i)
                rows[i] = (const int16_t *)row_ptr((const char *)x, g, r0 + i, 2, (char *)(buf + i * K));
#ifdef HW_X86
            if (vnni) {
                for (long i = 0; i < nr; ++i) {
                    uint8_t *u = ubuf + i * k4 * 4;
                    for (long k = 0; k < K; ++k) u[k] = (uint8_t)(rows[i][k] - lo);
                    urows[i] = u;
                }
                int_q_vnni(urows, nr, w8, wsum, mpad / 16, k4, (int32_t)lo, q, mpad);
            } else if (fast) int_q_avx512(rows, nr, wm, mb, K, q, mpad);
            else
#endif
                int_q_generic(rows, nr, wm, mb, K, q, mpad);
            finish(q, nr, m, mpad, T, nt, r0, out, 0, 0);
        }
        free(buf);
        free(ubuf);
        free(q);
    }
}

/* rows (R, K) of 0/nonzero bytes -> (R, ceil(K/64)) words, element i of a word at bit i (numpy's
   packbits with bitorder="little", viewed as little-endian words); padding bits are zero */
#ifdef HW_X86
__attribute__((target("avx512f,avx512bw")))
static void pack_avx512(const uint8_t *x, long r0, long r1, long k, uint64_t *out, long words) {
    for (long r = r0; r < r1; ++r) {
        const uint8_t *row = x + r * k;
        for (long w = 0; w < words; ++w) {
            const long left = k - w * 64;
            const __mmask64 ld = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
            const __m512i v = _mm512_maskz_loadu_epi8(ld, (const void *)(row + w * 64));
            out[r * words + w] = (uint64_t)_mm512_test_epi8_mask(v, v);
        }
    }
}
#endif

static void pack_generic(const uint8_t *x, long r0, long r1, long k, uint64_t *out, long words) {
    for (long r = r0; r < r1; ++r)
        for (long w = 0; w < words; ++w) {
            uint64_t v = 0;
            for (long i = 0; i < 64 && w * 64 + i < k; ++i) v |= (uint64_t)(x[r * k + w * 64 + i] != 0) << i;
            out[r * words + w] = v;
        }
}

void hw_pack_rows(const uint8_t *x, long rows, long k, uint64_t *out) {
    const long words = (k + 63) / 64;
    const int fast = hw_fast_int();
    (void)fast;
    #pragma omp parallel for schedule(dynamic, 256) if (rows * k > (1L << 22))
    for (long r = 0; r < rows; r += 256) {
        const long r1 = r + 256 < rows ? r + 256 : rows;
#ifdef HW_X86
        if (fast) pack_avx512(x, r, r1, k, out, words);
        else
#endif
            pack_generic(x, r, r1, k, out, words);
    }
}

int hw_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}
"""
