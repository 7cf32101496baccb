//go:build arm64 && !purego

#include "textflag.h"

// centroidLoopNEON is centroidLoop (centroid.go) whole: up to four steps,
// the loop unrolled, with the operations of the Go loop in the same order
// and the same rounding, so that it gives the portable code's results.
// x and y go together as the two lanes of a register: the estimate c =
// (cx, cy), the window's origin (x0f, y0f), the clamp bounds lo, hi. A
// step is the macros below:
//
//	CL_INDEX   the phases, as weightIndex: ix = int((cx − x0f − 0.5)·32 +
//	           0.5) clamped to [0, n−1] (the compiled Go fuses the ·32 and
//	           the + 0.5: the product is exact, so fused or not is the
//	           same). The clamp to n−1 is done on the float, before the
//	           truncation, and FCVTZU gives 0 for a negative value and for
//	           NaN: the same as Go's conversion (FCVTZS) then the integer
//	           clamps. With them q = (x0f + 0.5) + ix/32, exactly (UCVTF
//	           with 5 fraction bits is ix/32).
//	CL_SAME    the same phases as the last step's: stop.
//	CL_SUMS    centroidSums: S, sx, sy as centroidSumsNEON (simd_arm64.s)
//	           sums them. The column sums C[k] = Σj wy.w[j]·v[j][k] and
//	           Cy[k] with wy.wt, in order of j, then the dot products
//	           ((p0+p4)+(p2+p6)) + ((p1+p5)+(p3+p7)); every product is
//	           rounded before it is added (FMUL then FADD, never a fused
//	           multiply-add). The window's rows are multiplied by the lanes
//	           of wy (FMUL by element). Two differences from the portable
//	           sums, both only in the sign of a zero: a column sum starts
//	           from the row-0 product instead of 0 + it (they differ only
//	           for −0), and p7 (column 7, padding, times wx.w[7] = 0) is
//	           +0. A signed zero changes a sum only where the sum is zero;
//	           a zero S stops the loop (S ≤ 0) and a zero sx or sy adds ±0
//	           to q, a nonzero number or +0. So every result is the
//	           portable one, except that the s of a rejection (ok false,
//	           which the caller drops) may be −0 for +0 when the window
//	           holds −0 (never loaded from pixels) or products underflow.
//	CL_UPDATE  S ≤ 0 (false for NaN, as Go's S <= 0): the candidate fails.
//	           Then d = clampPM((q + 2·(sx, sy)/S) − c, 0.5) and c =
//	           clampF(c + d, lo, hi), with FMIN and FMAX: they give the
//	           compares' results (no bound is zero, so the sign of a zero
//	           does not matter, and a NaN comes through both unchanged: it
//	           is a computed, quiet one).
//	CL_MOVED   dx·dx + dy·dy < 4e-4: stop. centroid.go rounds both
//	           products (float64(dx*dx) + float64(dy*dy)), so that Go fuses
//	           no multiply-add there: FMUL, FMUL, FADD.
//
// Registers: V8 (x0f, y0f), V9 lo, V10 hi, V11 c, V12 (x0f + 0.5, y0f +
// 0.5), V13 (n−1, n−1), V14 (0.5, 0.5), V26 (−0.5, −0.5), V27 (4e-4, 32),
// V31 q; the sums use V0-V7 (C, Cy), V16-V19 (a window row, then wx.w),
// V20-V25 (wy, then wx.wt) and V15, V28-V30. R0 win, R1 tab, R4 136 (the
// size of a wEntry), R8 wx, R9 wy, R10 the window row; the phases are in
// R6, R7 at steps 1 and 3 and in R11, R12 at steps 2 and 4, so that the
// last step's stay for CL_SAME.

#define CL_INDEX(RX, RY) \
	WORD $0x4ee8d57c /* FSUB V28.2D, V11.2D, V8.2D: u = c - (x0f, y0f) */; \
	WORD $0x4eeed79c /* FSUB V28.2D, V28.2D, V14.2D: u - 0.5 */; \
	WORD $0x4fdb9b9c /* FMUL V28.2D, V28.2D, V27.D[1]: *32 */; \
	WORD $0x4e6ed79c /* FADD V28.2D, V28.2D, V14.2D: +0.5 */; \
	WORD $0x4eedf79c /* FMIN V28.2D, V28.2D, V13.2D: at most n-1 */; \
	WORD $0x6ee1bb9c /* FCVTZU V28.2D, V28.2D: truncated, at least 0 */; \
	WORD $0x6f7be79f /* UCVTF V31.2D, V28.2D, #5: ix/32 */; \
	WORD $0x4e6cd7ff /* FADD V31.2D, V31.2D, V12.2D: q = (x0f + 0.5) + ix/32 */; \
	FMOVD F28, RX; \
	VMOV V28.D[1], RY

#define CL_SAME(RX, RY, LX, LY, DONE) \
	CMP RX, LX; \
	CCMP EQ, RY, LY, $0; \
	BEQ DONE

#define CL_PTRS(RX, RY) \
	MADD R4, R1, RX, R8 /* wx = tab + 136*ix */; \
	MADD R4, R1, RY, R9 /* wy */; \
	MOVD R0, R10

#define CL_SUMS \
	VLD1.P 64(R9), [V20.D2, V21.D2, V22.D2, V23.D2] /* wy.w[0:8] */; \
	VLD1.P 32(R9), [V24.D2, V25.D2] /* wy.wt[0:4] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 0 */; \
	WORD $0x4fd49200 /* FMUL V0.2D, V16.2D, V20.D[0]: C[0:2] = wy.w[0]*v */; \
	WORD $0x4fd49221 /* FMUL V1.2D, V17.2D, V20.D[0]: C[2:4] = wy.w[0]*v */; \
	WORD $0x4fd49242 /* FMUL V2.2D, V18.2D, V20.D[0]: C[4:6] = wy.w[0]*v */; \
	WORD $0x4fd49263 /* FMUL V3.2D, V19.2D, V20.D[0]: C[6:8] = wy.w[0]*v */; \
	WORD $0x4fd89204 /* FMUL V4.2D, V16.2D, V24.D[0]: Cy[0:2] = wy.wt[0]*v */; \
	WORD $0x4fd89225 /* FMUL V5.2D, V17.2D, V24.D[0]: Cy[2:4] = wy.wt[0]*v */; \
	WORD $0x4fd89246 /* FMUL V6.2D, V18.2D, V24.D[0]: Cy[4:6] = wy.wt[0]*v */; \
	WORD $0x4fd89267 /* FMUL V7.2D, V19.2D, V24.D[0]: Cy[6:8] = wy.wt[0]*v */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 1 */; \
	WORD $0x4fd49a1c /* FMUL V28.2D, V16.2D, V20.D[1]: row 1: wy.w[1]*v */; \
	WORD $0x4fd49a3d /* FMUL V29.2D, V17.2D, V20.D[1] */; \
	WORD $0x4fd49a5e /* FMUL V30.2D, V18.2D, V20.D[1] */; \
	WORD $0x4fd49a6f /* FMUL V15.2D, V19.2D, V20.D[1] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd89a1c /* FMUL V28.2D, V16.2D, V24.D[1]: wy.wt[1]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd89a3d /* FMUL V29.2D, V17.2D, V24.D[1] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd89a5e /* FMUL V30.2D, V18.2D, V24.D[1] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd89a6f /* FMUL V15.2D, V19.2D, V24.D[1] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 2 */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x4fd5921c /* FMUL V28.2D, V16.2D, V21.D[0]: row 2: wy.w[2]*v */; \
	WORD $0x4fd5923d /* FMUL V29.2D, V17.2D, V21.D[0] */; \
	WORD $0x4fd5925e /* FMUL V30.2D, V18.2D, V21.D[0] */; \
	WORD $0x4fd5926f /* FMUL V15.2D, V19.2D, V21.D[0] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd9921c /* FMUL V28.2D, V16.2D, V25.D[0]: wy.wt[2]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd9923d /* FMUL V29.2D, V17.2D, V25.D[0] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd9925e /* FMUL V30.2D, V18.2D, V25.D[0] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd9926f /* FMUL V15.2D, V19.2D, V25.D[0] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 3 */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x4fd59a1c /* FMUL V28.2D, V16.2D, V21.D[1]: row 3: wy.w[3]*v */; \
	WORD $0x4fd59a3d /* FMUL V29.2D, V17.2D, V21.D[1] */; \
	WORD $0x4fd59a5e /* FMUL V30.2D, V18.2D, V21.D[1] */; \
	WORD $0x4fd59a6f /* FMUL V15.2D, V19.2D, V21.D[1] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd99a1c /* FMUL V28.2D, V16.2D, V25.D[1]: wy.wt[3]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd99a3d /* FMUL V29.2D, V17.2D, V25.D[1] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd99a5e /* FMUL V30.2D, V18.2D, V25.D[1] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd99a6f /* FMUL V15.2D, V19.2D, V25.D[1] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 4 */; \
	VLD1 (R9), [V24.D2, V25.D2] /* wy.wt[4:8] */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x4fd6921c /* FMUL V28.2D, V16.2D, V22.D[0]: row 4: wy.w[4]*v */; \
	WORD $0x4fd6923d /* FMUL V29.2D, V17.2D, V22.D[0] */; \
	WORD $0x4fd6925e /* FMUL V30.2D, V18.2D, V22.D[0] */; \
	WORD $0x4fd6926f /* FMUL V15.2D, V19.2D, V22.D[0] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd8921c /* FMUL V28.2D, V16.2D, V24.D[0]: wy.wt[4]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd8923d /* FMUL V29.2D, V17.2D, V24.D[0] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd8925e /* FMUL V30.2D, V18.2D, V24.D[0] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd8926f /* FMUL V15.2D, V19.2D, V24.D[0] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 5 */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x4fd69a1c /* FMUL V28.2D, V16.2D, V22.D[1]: row 5: wy.w[5]*v */; \
	WORD $0x4fd69a3d /* FMUL V29.2D, V17.2D, V22.D[1] */; \
	WORD $0x4fd69a5e /* FMUL V30.2D, V18.2D, V22.D[1] */; \
	WORD $0x4fd69a6f /* FMUL V15.2D, V19.2D, V22.D[1] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd89a1c /* FMUL V28.2D, V16.2D, V24.D[1]: wy.wt[5]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd89a3d /* FMUL V29.2D, V17.2D, V24.D[1] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd89a5e /* FMUL V30.2D, V18.2D, V24.D[1] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd89a6f /* FMUL V15.2D, V19.2D, V24.D[1] */; \
	VLD1.P 64(R10), [V16.D2, V17.D2, V18.D2, V19.D2] /* row 6 */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x4fd7921c /* FMUL V28.2D, V16.2D, V23.D[0]: row 6: wy.w[6]*v */; \
	WORD $0x4fd7923d /* FMUL V29.2D, V17.2D, V23.D[0] */; \
	WORD $0x4fd7925e /* FMUL V30.2D, V18.2D, V23.D[0] */; \
	WORD $0x4fd7926f /* FMUL V15.2D, V19.2D, V23.D[0] */; \
	WORD $0x4e7cd400 /* FADD V0.2D, V0.2D, V28.2D: C[0:2] += p */; \
	WORD $0x4fd9921c /* FMUL V28.2D, V16.2D, V25.D[0]: wy.wt[6]*v */; \
	WORD $0x4e7dd421 /* FADD V1.2D, V1.2D, V29.2D: C[2:4] += p */; \
	WORD $0x4fd9923d /* FMUL V29.2D, V17.2D, V25.D[0] */; \
	WORD $0x4e7ed442 /* FADD V2.2D, V2.2D, V30.2D: C[4:6] += p */; \
	WORD $0x4fd9925e /* FMUL V30.2D, V18.2D, V25.D[0] */; \
	WORD $0x4e6fd463 /* FADD V3.2D, V3.2D, V15.2D: C[6:8] += p */; \
	WORD $0x4fd9926f /* FMUL V15.2D, V19.2D, V25.D[0] */; \
	VLD1.P 64(R8), [V16.D2, V17.D2, V18.D2, V19.D2] /* wx.w[0:8] */; \
	VLD1 (R8), [V20.D2, V21.D2, V22.D2, V23.D2] /* wx.wt[0:8] */; \
	WORD $0x4e7cd484 /* FADD V4.2D, V4.2D, V28.2D: Cy[0:2] += p */; \
	WORD $0x4e7dd4a5 /* FADD V5.2D, V5.2D, V29.2D: Cy[2:4] += p */; \
	WORD $0x4e7ed4c6 /* FADD V6.2D, V6.2D, V30.2D: Cy[4:6] += p */; \
	WORD $0x4e6fd4e7 /* FADD V7.2D, V7.2D, V15.2D: Cy[6:8] += p */; \
	WORD $0x6e70dc18 /* FMUL V24.2D, V0.2D, V16.2D: S: p = wx.w*C */; \
	WORD $0x6e71dc39 /* FMUL V25.2D, V1.2D, V17.2D */; \
	WORD $0x6e72dc5c /* FMUL V28.2D, V2.2D, V18.2D */; \
	WORD $0x6e73dc7d /* FMUL V29.2D, V3.2D, V19.2D */; \
	WORD $0x4e7cd718 /* FADD V24.2D, V24.2D, V28.2D: (p0+p4, p1+p5) */; \
	WORD $0x4e7dd739 /* FADD V25.2D, V25.2D, V29.2D: (p2+p6, p3+p7) */; \
	WORD $0x4e79d718 /* FADD V24.2D, V24.2D, V25.2D */; \
	WORD $0x6e74dc19 /* FMUL V25.2D, V0.2D, V20.2D: sx: wx.wt*C */; \
	WORD $0x6e75dc3c /* FMUL V28.2D, V1.2D, V21.2D */; \
	WORD $0x6e76dc5d /* FMUL V29.2D, V2.2D, V22.2D */; \
	WORD $0x6e77dc7e /* FMUL V30.2D, V3.2D, V23.2D */; \
	WORD $0x4e7dd739 /* FADD V25.2D, V25.2D, V29.2D */; \
	WORD $0x4e7ed79c /* FADD V28.2D, V28.2D, V30.2D */; \
	WORD $0x4e7cd739 /* FADD V25.2D, V25.2D, V28.2D */; \
	WORD $0x6e70dc9c /* FMUL V28.2D, V4.2D, V16.2D: sy: wx.w*Cy */; \
	WORD $0x6e71dcbd /* FMUL V29.2D, V5.2D, V17.2D */; \
	WORD $0x6e72dcde /* FMUL V30.2D, V6.2D, V18.2D */; \
	WORD $0x6e73dcf0 /* FMUL V16.2D, V7.2D, V19.2D */; \
	WORD $0x4e7ed79c /* FADD V28.2D, V28.2D, V30.2D */; \
	WORD $0x4e70d7bd /* FADD V29.2D, V29.2D, V16.2D */; \
	WORD $0x4e7dd79c /* FADD V28.2D, V28.2D, V29.2D */; \
	WORD $0x6e78d718 /* FADDP V24.2D, V24.2D, V24.2D: (S, S) */; \
	WORD $0x6e7cd739 /* FADDP V25.2D, V25.2D, V28.2D: (sx, sy) */

#define CL_UPDATE(REJECT) \
	FCMPD $(0.0), F24; \
	BLS REJECT /* S <= 0 (not NaN) */; \
	WORD $0x4e79d739 /* FADD V25.2D, V25.2D, V25.2D: 2*(sx, sy) */; \
	WORD $0x6e78ff39 /* FDIV V25.2D, V25.2D, V24.2D: /S */; \
	WORD $0x4e79d7f9 /* FADD V25.2D, V31.2D, V25.2D: q + 2*sx/S */; \
	WORD $0x4eebd739 /* FSUB V25.2D, V25.2D, V11.2D: - c */; \
	WORD $0x4eeef739 /* FMIN V25.2D, V25.2D, V14.2D: clampPM: at most 0.5 */; \
	WORD $0x4e7af739 /* FMAX V25.2D, V25.2D, V26.2D: at least -0.5: (dx, dy) */; \
	WORD $0x4e79d56b /* FADD V11.2D, V11.2D, V25.2D: c + d */; \
	WORD $0x4e69f56b /* FMAX V11.2D, V11.2D, V9.2D: clampF: at least lo */; \
	WORD $0x4eeaf56b /* FMIN V11.2D, V11.2D, V10.2D: at most hi */

#define CL_MOVED(DONE) \
	FMULD F25, F25, F28 /* dx*dx */; \
	WORD $0x5e18073d /* MOV D29, V25.D[1]: dy */; \
	FMULD F29, F29, F29 /* dy*dy */; \
	FADDD F29, F28, F28 /* dx*dx + dy*dy, each product rounded as in centroid.go */; \
	FCMPD F27, F28; \
	BMI DONE /* under 4e-4 */

DATA clNEON<>+0(SB)/8, $-0.5
DATA clNEON<>+8(SB)/8, $-0.5
DATA clNEON<>+16(SB)/8, $4e-4
DATA clNEON<>+24(SB)/8, $32.0
GLOBL clNEON<>(SB), RODATA|NOPTR, $32

// func centroidLoopNEON(win *[56]float64, tab *wEntry, n int, x0f, y0f, lox, loy, hix, hiy, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok bool)
//
// centroidLoop's iteration from (cx, cy) in window win at (x0f, y0f),
// with the weight table tab (n ≥ 1 entries of 136 bytes) and the clamp
// bounds [lox, hix], [loy, hiy] of the estimate: the last weighted sum,
// the estimate, the phases of the last sums, and ok false when a
// weighted sum is not positive (then s, cxo, cyo, ix, iy are that step's
// S, its starting estimate and its phases, as centroidLoop returns).
TEXT ·centroidLoopNEON(SB), NOSPLIT, $0-129
	MOVD win+0(FP), R0
	MOVD tab+8(FP), R1
	MOVD n+16(FP), R2
	SUB  $1, R2
	MOVD $x0f+24(FP), R3
	VLD1 (R3), [V8.D2, V9.D2, V10.D2, V11.D2] // (x0f, y0f), lo, hi, c
	VDUP R2, V13.D2
	WORD $0x6e61d9ad /* UCVTF V13.2D, V13.2D: (n-1, n-1) */
	MOVD $clNEON<>(SB), R3
	VLD1 (R3), [V26.D2, V27.D2]
	WORD $0x6f03f40e /* FMOV V14.2D, #0.5 */
	WORD $0x4e6ed50c /* FADD V12.2D, V8.2D, V14.2D: (x0f + 0.5, y0f + 0.5) */
	MOVD $136, R4

	// Step 1 (no last phases yet).
	CL_INDEX(R6, R7)
	CL_PTRS(R6, R7)
	CL_SUMS
	CL_UPDATE(clRejectA)
	CL_MOVED(clDoneA)
	// Step 2.
	CL_INDEX(R11, R12)
	CL_SAME(R11, R12, R6, R7, clDoneA)
	CL_PTRS(R11, R12)
	CL_SUMS
	CL_UPDATE(clRejectB)
	CL_MOVED(clDoneB)
	// Step 3.
	CL_INDEX(R6, R7)
	CL_SAME(R6, R7, R11, R12, clDoneB)
	CL_PTRS(R6, R7)
	CL_SUMS
	CL_UPDATE(clRejectA)
	CL_MOVED(clDoneA)
	// Step 4: the last; no test of the step.
	CL_INDEX(R11, R12)
	CL_SAME(R11, R12, R6, R7, clDoneA)
	CL_PTRS(R11, R12)
	CL_SUMS
	CL_UPDATE(clRejectB)

clDoneB:
	MOVD R11, R6
	MOVD R12, R7

clDoneA:
	MOVD $1, R13

clStore:
	FMOVD F24, s+88(FP)
	MOVD  $cxo+96(FP), R3
	VST1  [V11.D2], (R3) // cxo, cyo
	STP   (R6, R7), ix+112(FP)
	MOVB  R13, ok+128(FP)
	RET

clRejectB:
	MOVD R11, R6
	MOVD R12, R7

clRejectA:
	MOVD ZR, R13
	B    clStore
