//go:build arm64 && !purego

#include "textflag.h"

// NEON kernels. Go's arm64 assembler lacks some Advanced SIMD instructions;
// those are written as WORD with their encoding (Arm A64 instruction set,
// "Advanced SIMD" encodings) and the instruction in the comment.

// func bin8NEON(pix *uint8, stride int, words *uint64, ww int, sb *uint32, sbw, groups, blockRows int)
//
// bin8 for blockRows·4 rows of boxes and the first groups·4 words of each:
// words[cy·ww + i] gets the four 2×2 sums of pixels 8i … 8i+7 of rows
// 2cy, 2cy+1 as 16-bit lanes, and sb[by·sbw + i] the sum of the 16 lanes
// of words i of box rows 4by … 4by+3. Each group of 32 pixel columns is
// done down its four box rows at once, so the block sums come from
// registers: lanes of four rows reach at most 4·1020, and a word's four
// lanes are widened to 32 bits before they are summed.
TEXT ·bin8NEON(SB), NOSPLIT, $0-64
	MOVD pix+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD words+16(FP), R2
	MOVD ww+24(FP), R3
	LSL  $3, R3 // bytes per word row
	MOVD sb+32(FP), R4
	MOVD sbw+40(FP), R5
	LSL  $2, R5 // bytes per block row
	MOVD groups+48(FP), R6
	MOVD blockRows+56(FP), R7
	CBZ  R6, binDone
	CBZ  R7, binDone

binBlockRow:
	MOVD R0, R8  // this group's pixels
	MOVD R2, R9  // its words
	MOVD R4, R10 // its block sums
	MOVD R6, R11

binGroup:
	MOVD R8, R12
	MOVD R9, R13
	// Box row 0: horizontal pair sums of both pixel rows, added.
	VLD1 (R12), [V0.B16, V1.B16]
	ADD  R1, R12
	VLD1 (R12), [V2.B16, V3.B16]
	ADD  R1, R12
	WORD $0x6e202800 // UADDLP V0.8H, V0.16B
	WORD $0x6e202821 // UADDLP V1.8H, V1.16B
	WORD $0x6e206840 // UADALP V0.8H, V2.16B
	WORD $0x6e206861 // UADALP V1.8H, V3.16B
	VST1 [V0.H8, V1.H8], (R13)
	ADD  R3, R13
	// Box rows 1-3, summed into V0, V1.
	VLD1 (R12), [V4.B16, V5.B16]
	ADD  R1, R12
	VLD1 (R12), [V6.B16, V7.B16]
	ADD  R1, R12
	WORD $0x6e202884 // UADDLP V4.8H, V4.16B
	WORD $0x6e2028a5 // UADDLP V5.8H, V5.16B
	WORD $0x6e2068c4 // UADALP V4.8H, V6.16B
	WORD $0x6e2068e5 // UADALP V5.8H, V7.16B
	VST1 [V4.H8, V5.H8], (R13)
	ADD  R3, R13
	VADD V4.H8, V0.H8, V0.H8
	VADD V5.H8, V1.H8, V1.H8
	VLD1 (R12), [V4.B16, V5.B16]
	ADD  R1, R12
	VLD1 (R12), [V6.B16, V7.B16]
	ADD  R1, R12
	WORD $0x6e202884 // UADDLP V4.8H, V4.16B
	WORD $0x6e2028a5 // UADDLP V5.8H, V5.16B
	WORD $0x6e2068c4 // UADALP V4.8H, V6.16B
	WORD $0x6e2068e5 // UADALP V5.8H, V7.16B
	VST1 [V4.H8, V5.H8], (R13)
	ADD  R3, R13
	VADD V4.H8, V0.H8, V0.H8
	VADD V5.H8, V1.H8, V1.H8
	VLD1 (R12), [V4.B16, V5.B16]
	ADD  R1, R12
	VLD1 (R12), [V6.B16, V7.B16]
	WORD $0x6e202884 // UADDLP V4.8H, V4.16B
	WORD $0x6e2028a5 // UADDLP V5.8H, V5.16B
	WORD $0x6e2068c4 // UADALP V4.8H, V6.16B
	WORD $0x6e2068e5 // UADALP V5.8H, V7.16B
	VST1 [V4.H8, V5.H8], (R13)
	VADD V4.H8, V0.H8, V0.H8
	VADD V5.H8, V1.H8, V1.H8
	// The four words' lane sums: lane pairs widened, then pairs of pairs.
	WORD $0x6e602800 // UADDLP V0.4S, V0.8H
	WORD $0x6e602821 // UADDLP V1.4S, V1.8H
	WORD $0x4ea1bc00 // ADDP V0.4S, V0.4S, V1.4S
	VST1 [V0.S4], (R10)
	ADD  $32, R8
	ADD  $32, R9
	ADD  $16, R10
	SUB  $1, R11
	CBNZ R11, binGroup

	ADD  R1<<3, R0 // eight pixel rows
	ADD  R3<<2, R2 // four word rows
	ADD  R5, R4
	SUB  $1, R7
	CBNZ R7, binBlockRow

binDone:
	RET

// Lane weights of candMaskNEON's mask bits: lane k of a half-group gives
// bit 2k (bit 16 + 2k in the second half), the bit layout of PMOVMSKB on
// 16-bit lanes that candMaskSIMD's callers read.
DATA candWeights<>+0(SB)/8, $0x0040001000040001
DATA candWeights<>+8(SB)/8, $0x4000100004000100
GLOBL candWeights<>(SB), RODATA|NOPTR, $16

// func candMaskNEON(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int) (nz uint64)
//
// candMaskAVX2 (simd_amd64.s) eight boxes at a time: for n groups of 16
// boxes (four words) of a row of the candidate image with its rows above
// and below, out gets per group bit 2k set when box k is above its
// threshold (t holds 0x7FFF − t), a local maximum (strictly above the
// left and upper neighbours, at least the right and lower ones) and
// passes the integer pre-test of stage 2: v ≥ ka, or v + max(l, r, u, d)
// ≥ kb, or v + max(l, r) + max(u, d) + (the diagonal next to them) ≥ kc,
// with ka = t + k[0] − k[1], kb = 2t + k[2] − k[3], kc = 4t + k[4] − k[5]
// (k[6] holds 0x7FFF), sums saturating. Box values are at most 0x7FFF,
// so signed 16-bit compares order them. Each row is read from 2 bytes
// before to 2 bytes after its groups. Returns bit g set for each group g
// with a candidate (n ≤ 64). The threshold is tested on the whole group
// first, then on each half (eight boxes, one register) that goes on.
TEXT ·candMaskNEON(SB), NOSPLIT, $0-64
	MOVD up+0(FP), R0
	MOVD row+8(FP), R1
	MOVD dn+16(FP), R2
	MOVD t+24(FP), R3
	MOVD k+32(FP), R4
	MOVD out+40(FP), R5
	MOVD n+48(FP), R6
	MOVD ZR, R7 // groups with candidates
	MOVD ZR, R8 // group index
	MOVD ZR, R9 // byte offset of the group
	CBZ  R6, candDone
	// The limits' offsets k[0] … k[6]: the first eight lanes of each row.
	MOVD R4, R10
	VLD1   (R10), [V24.H8]
	ADD    $32, R10
	VLD1   (R10), [V25.H8]
	ADD    $32, R10
	VLD1   (R10), [V26.H8]
	ADD    $32, R10
	VLD1   (R10), [V27.H8]
	ADD    $32, R10
	VLD1   (R10), [V28.H8]
	ADD    $32, R10
	VLD1   (R10), [V29.H8]
	ADD    $32, R10
	VLD1   (R10), [V30.H8]
	MOVD $candWeights<>(SB), R10
	VLD1 (R10), [V31.H8]
	MOVD $0x8080808080808080, R15

candLoop:
	// The whole group's threshold test first: most groups have no box
	// above it.
	ADD  R9, R1, R10
	VLD1 (R10), [V0.H8, V1.H8]
	ADD  R9, R3, R11
	VLD1 (R11), [V3.H8, V4.H8]
	WORD $0x4e638416 // ADD V22.8H, V0.8H, V3.8H
	WORD $0x4e648437 // ADD V23.8H, V1.8H, V4.8H
	WORD $0x4eb71ec5 // ORR V5.16B, V22.16B, V23.16B
	WORD $0x0f0884a5 // SHRN V5.8B, V5.8H, #8
	VMOV V5.D[0], R11
	TST  R15, R11
	BEQ  candNone
	MOVD ZR, R19 // the group's mask
	MOVD R9, R20 // the half's byte offset
	MOVD ZR, R14 // the half's bit offset in the mask: 0, 16

candHalf:
	ADD  R20, R1, R10
	VLD1 (R10), [V0.H8] // v
	ADD  R20, R3, R11
	VLD1 (R11), [V3.H8] // 0x7FFF − t
	WORD $0x4e638416 // ADD V22.8H, V0.8H, V3.8H: v > t sets the top bit
	WORD $0x0f0886c5 // SHRN V5.8B, V22.8H, #8: the lanes' top bytes
	VMOV V5.D[0], R11
	TST  R15, R11
	BEQ  candHalfNext
	WORD $0x4e60aac4 // CMLT V4.8H, V22.8H, #0: the boxes above their threshold
	SUB  $2, R10, R11
	VLD1 (R11), [V1.H8] // l
	ADD  $2, R10, R11
	VLD1 (R11), [V2.H8] // r
	ADD  R20, R0, R10
	SUB  $2, R10, R11
	VLD1 (R11), [V6.H8] // ul
	VLD1 (R10), [V7.H8] // u
	ADD  $2, R10, R11
	VLD1 (R11), [V8.H8] // ur
	ADD  R20, R2, R10
	SUB  $2, R10, R11
	VLD1 (R11), [V9.H8] // dl
	VLD1 (R10), [V10.H8] // d
	ADD  $2, R10, R11
	VLD1 (R11), [V11.H8] // dr
	// A local maximum: above the largest of l, ul, u, ur and at least the
	// largest of r, dl, d, dr.
	WORD $0x4e666430 // SMAX V16.8H, V1.8H, V6.8H
	WORD $0x4e6864f1 // SMAX V17.8H, V7.8H, V8.8H
	WORD $0x4e716610 // SMAX V16.8H, V16.8H, V17.8H
	WORD $0x4e696452 // SMAX V18.8H, V2.8H, V9.8H
	WORD $0x4e6b6553 // SMAX V19.8H, V10.8H, V11.8H
	WORD $0x4e736652 // SMAX V18.8H, V18.8H, V19.8H
	WORD $0x4e703410 // CMGT V16.8H, V0.8H, V16.8H
	WORD $0x4e723c12 // CMGE V18.8H, V0.8H, V18.8H
	WORD $0x4e301c84 // AND V4.16B, V4.16B, V16.16B
	WORD $0x4e321c84 // AND V4.16B, V4.16B, V18.16B
	WORD $0x6e70a885 // UMAXV H5, V4.8H
	VMOV V5.H[0], R11
	CBZ  R11, candHalfNext

	WORD $0x4e62642c // SMAX V12.8H, V1.8H, V2.8H: h = max(l, r)
	WORD $0x4e6a64ed // SMAX V13.8H, V7.8H, V10.8H: vv = max(u, d)
	WORD $0x4e62342e // CMGT V14.8H, V1.8H, V2.8H: l > r
	WORD $0x4e6a34ef // CMGT V15.8H, V7.8H, V10.8H: u > d
	WORD $0x4eae1dd4 // MOV V20.16B, V14.16B
	WORD $0x6e681cd4 // BSL V20.16B, V6.16B, V8.16B: l > r ? ul : ur
	WORD $0x6e6b1d2e // BSL V14.16B, V9.16B, V11.16B: l > r ? dl : dr
	WORD $0x6e6e1e8f // BSL V15.16B, V20.16B, V14.16B: g = u > d ? upper : lower diagonal
	WORD $0x6e6387d0 // SUB V16.8H, V30.8H, V3.8H: t
	WORD $0x6e780e11 // UQADD V17.8H, V16.8H, V24.8H
	WORD $0x6e792e31 // UQSUB V17.8H, V17.8H, V25.8H: ka
	WORD $0x6e713c12 // CMHS V18.8H, V0.8H, V17.8H: v ≥ ka
	WORD $0x6e700e10 // UQADD V16.8H, V16.8H, V16.8H: 2t
	WORD $0x6e7a0e11 // UQADD V17.8H, V16.8H, V26.8H
	WORD $0x6e7b2e31 // UQSUB V17.8H, V17.8H, V27.8H: kb
	WORD $0x4e6d6593 // SMAX V19.8H, V12.8H, V13.8H
	WORD $0x6e730c13 // UQADD V19.8H, V0.8H, V19.8H: v + max(h, vv)
	WORD $0x6e713e73 // CMHS V19.8H, V19.8H, V17.8H: ≥ kb
	WORD $0x4eb31e52 // ORR V18.16B, V18.16B, V19.16B
	WORD $0x6e700e10 // UQADD V16.8H, V16.8H, V16.8H: 4t
	WORD $0x6e7c0e11 // UQADD V17.8H, V16.8H, V28.8H
	WORD $0x6e7d2e31 // UQSUB V17.8H, V17.8H, V29.8H: kc
	WORD $0x6e6c0c13 // UQADD V19.8H, V0.8H, V12.8H: v + h + vv + g
	WORD $0x6e6d0e73 // UQADD V19.8H, V19.8H, V13.8H
	WORD $0x6e6f0e73 // UQADD V19.8H, V19.8H, V15.8H
	WORD $0x6e713e73 // CMHS V19.8H, V19.8H, V17.8H: ≥ kc
	WORD $0x4eb31e52 // ORR V18.16B, V18.16B, V19.16B
	WORD $0x4e321c84 // AND V4.16B, V4.16B, V18.16B
	WORD $0x4e3f1c84 // AND V4.16B, V4.16B, V31.16B: bit 2k for lane k
	VUADDLV V4.H8, V4
	VMOV V4.S[0], R11
	LSL  R14, R11, R11
	ORR  R11, R19, R19

candHalfNext:
	ADD  $16, R20
	ADD  $16, R14
	CMP  $32, R14
	BNE  candHalf
	MOVW R19, (R5)
	CBZ  R19, candNext
	MOVD $1, R13
	LSL  R8, R13, R13
	ORR  R13, R7, R7
	B    candNext

candNone:
	MOVW ZR, (R5)

candNext:
	ADD  $32, R9
	ADD  $4, R5
	ADD  $1, R8
	CMP  R8, R6
	BNE  candLoop

candDone:
	MOVD R7, nz+56(FP)
	RET

// func centroidSumsNEON(win *[56]float64, wx, wy *wEntry) (s, sx, sy float64)
//
// centroidSums (centroid.go) two columns at a time: the column sums C[k]
// = Σj wy.w[j]·v[j][k] and Cy[k] with wy.wt, in order of j from zero,
// then the dot products ((p0+p4)+(p2+p6)) + ((p1+p5)+(p3+p7)), with
// every product rounded before it is added (no fused multiply-add, as
// centroidSums is written), so the bits are the portable code's. p7 is
// 0·0: it only changes the sign of a zero sum, which the caller rejects
// (S ≤ 0) either way.
TEXT ·centroidSumsNEON(SB), NOSPLIT, $0-48
	MOVD win+0(FP), R0
	MOVD wx+8(FP), R1
	MOVD wy+16(FP), R2
	ADD  $64, R2, R3 // wy.wt
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	MOVD $7, R4

csRow:
	VLD1.P 64(R0), [V16.D2, V17.D2, V18.D2, V19.D2] // row j
	VLD1R.P 8(R2), [V20.D2] // wy.w[j]
	VLD1R.P 8(R3), [V21.D2] // wy.wt[j]

	WORD $0x6e74de16 // FMUL V22.2D, V16.2D, V20.2D: C
	WORD $0x6e74de37 // FMUL V23.2D, V17.2D, V20.2D
	WORD $0x6e74de58 // FMUL V24.2D, V18.2D, V20.2D
	WORD $0x6e74de79 // FMUL V25.2D, V19.2D, V20.2D
	WORD $0x4e76d400 // FADD V0.2D, V0.2D, V22.2D
	WORD $0x4e77d421 // FADD V1.2D, V1.2D, V23.2D
	WORD $0x4e78d442 // FADD V2.2D, V2.2D, V24.2D
	WORD $0x4e79d463 // FADD V3.2D, V3.2D, V25.2D
	WORD $0x6e75de16 // FMUL V22.2D, V16.2D, V21.2D: Cy
	WORD $0x6e75de37 // FMUL V23.2D, V17.2D, V21.2D
	WORD $0x6e75de58 // FMUL V24.2D, V18.2D, V21.2D
	WORD $0x6e75de79 // FMUL V25.2D, V19.2D, V21.2D
	WORD $0x4e76d484 // FADD V4.2D, V4.2D, V22.2D
	WORD $0x4e77d4a5 // FADD V5.2D, V5.2D, V23.2D
	WORD $0x4e78d4c6 // FADD V6.2D, V6.2D, V24.2D
	WORD $0x4e79d4e7 // FADD V7.2D, V7.2D, V25.2D
	SUB  $1, R4
	CBNZ R4, csRow

	VLD1 (R1), [V16.D2, V17.D2, V18.D2, V19.D2] // wx.w
	ADD  $64, R1
	VLD1 (R1), [V20.D2, V21.D2, V22.D2, V23.D2] // wx.wt
	WORD $0x6e70dc18 // FMUL V24.2D, V0.2D, V16.2D: s
	WORD $0x6e71dc39 // FMUL V25.2D, V1.2D, V17.2D
	WORD $0x6e72dc5a // FMUL V26.2D, V2.2D, V18.2D
	WORD $0x6e73dc7b // FMUL V27.2D, V3.2D, V19.2D
	WORD $0x4e7ad718 // FADD V24.2D, V24.2D, V26.2D
	WORD $0x4e7bd739 // FADD V25.2D, V25.2D, V27.2D
	WORD $0x4e79d718 // FADD V24.2D, V24.2D, V25.2D
	WORD $0x7e70db1c // FADDP D28, V24.2D
	WORD $0x6e74dc18 // FMUL V24.2D, V0.2D, V20.2D: sx
	WORD $0x6e75dc39 // FMUL V25.2D, V1.2D, V21.2D
	WORD $0x6e76dc5a // FMUL V26.2D, V2.2D, V22.2D
	WORD $0x6e77dc7b // FMUL V27.2D, V3.2D, V23.2D
	WORD $0x4e7ad718 // FADD V24.2D, V24.2D, V26.2D
	WORD $0x4e7bd739 // FADD V25.2D, V25.2D, V27.2D
	WORD $0x4e79d718 // FADD V24.2D, V24.2D, V25.2D
	WORD $0x7e70db1d // FADDP D29, V24.2D
	WORD $0x6e70dc98 // FMUL V24.2D, V4.2D, V16.2D: sy
	WORD $0x6e71dcb9 // FMUL V25.2D, V5.2D, V17.2D
	WORD $0x6e72dcda // FMUL V26.2D, V6.2D, V18.2D
	WORD $0x6e73dcfb // FMUL V27.2D, V7.2D, V19.2D
	WORD $0x4e7ad718 // FADD V24.2D, V24.2D, V26.2D
	WORD $0x4e7bd739 // FADD V25.2D, V25.2D, V27.2D
	WORD $0x4e79d718 // FADD V24.2D, V24.2D, V25.2D
	WORD $0x7e70db1e // FADDP D30, V24.2D
	FMOVD F28, s+24(FP)
	FMOVD F29, sx+32(FP)
	FMOVD F30, sy+40(FP)
	RET

// func lineSumsTBL(c *uint8, stride int, tab *lineGather, sums *[48]int32, l int32) (bright uint64)
//
// sums[s] = Σ of lineInner's 12 pixels of side s around c, gathered with
// TBL: the rows −16 … 15 of the 32 bytes from column −16 are taken two at
// a time (a 64-byte table in four registers), and each of the pair's
// passes (tab.passes) picks, per side, one of its pixels in those rows
// (tab.idx: 48 table indices per pass, 0xFF, which TBL reads as 0, for a
// side with no pixel left there), added to the side's 16-bit sum (at most
// 12·255). Then lineBright in NEON: bit s of bright is 2·sums[s] − R > l,
// R the sum of both sides of the perpendicular direction, (k+12) mod 24
// for direction k = s/2. With P[k] = sums[2k] + sums[2k+1] (ADDP), the
// references of sums[4i … 4i+3] are P[2i+12], P[2i+12], P[2i+13],
// P[2i+13] (mod 24): a ZIP of one register of P with itself. The masks
// are narrowed to bytes, given their bit and summed eight to a byte.
// All integer arithmetic, so the same as the portable lineInner sums and
// lineBright.
TEXT ·lineSumsTBL(SB), NOSPLIT, $0-48
	MOVD c+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD tab+16(FP), R2 // the passes per row pair, then the indices
	LSL  $4, R1, R4
	SUB  R4, R0, R5
	SUB  $16, R5, R5 // row −16, column −16
	LSL  $1, R1, R6
	ADD  $16, R2, R7
	MOVD $16, R8 // row pairs
	WORD $0x6f00e40a // MOVI V10.2D, #0
	WORD $0x6f00e40b // MOVI V11.2D, #0
	WORD $0x6f00e40c // MOVI V12.2D, #0
	WORD $0x6f00e40d // MOVI V13.2D, #0
	WORD $0x6f00e40e // MOVI V14.2D, #0
	WORD $0x6f00e40f // MOVI V15.2D, #0

linePair:
	MOVBU.P 1(R2), R9
	VLD1 (R5), [V0.B16, V1.B16]
	ADD  R1, R5, R10
	VLD1 (R10), [V2.B16, V3.B16]
	ADD  R6, R5, R5

linePass:
	VLD1.P 48(R7), [V4.B16, V5.B16, V6.B16]
	WORD $0x4e046007 // TBL V7.16B, {V0.16B, V1.16B, V2.16B, V3.16B}, V4.16B: the pass's pixel of each of sides 0-15, 0 where none
	WORD $0x4e056008 // TBL V8.16B, {V0.16B, V1.16B, V2.16B, V3.16B}, V5.16B: sides 16-31
	WORD $0x4e066009 // TBL V9.16B, {V0.16B, V1.16B, V2.16B, V3.16B}, V6.16B: sides 32-47
	WORD $0x2e27114a // UADDW V10.8H, V10.8H, V7.8B
	WORD $0x6e27116b // UADDW2 V11.8H, V11.8H, V7.16B
	WORD $0x2e28118c // UADDW V12.8H, V12.8H, V8.8B
	WORD $0x6e2811ad // UADDW2 V13.8H, V13.8H, V8.16B
	WORD $0x2e2911ce // UADDW V14.8H, V14.8H, V9.8B
	WORD $0x6e2911ef // UADDW2 V15.8H, V15.8H, V9.16B
	SUB  $1, R9
	CBNZ R9, linePass
	SUB  $1, R8
	CBNZ R8, linePair
	WORD $0x2f10a540 // USHLL V0.4S, V10.4H, #0: the sums widened to 32 bits, in order
	WORD $0x6f10a541 // USHLL2 V1.4S, V10.8H, #0
	WORD $0x2f10a562 // USHLL V2.4S, V11.4H, #0
	WORD $0x6f10a563 // USHLL2 V3.4S, V11.8H, #0
	WORD $0x2f10a584 // USHLL V4.4S, V12.4H, #0
	WORD $0x6f10a585 // USHLL2 V5.4S, V12.8H, #0
	WORD $0x2f10a5a6 // USHLL V6.4S, V13.4H, #0
	WORD $0x6f10a5a7 // USHLL2 V7.4S, V13.8H, #0
	WORD $0x2f10a5c8 // USHLL V8.4S, V14.4H, #0
	WORD $0x6f10a5c9 // USHLL2 V9.4S, V14.8H, #0
	WORD $0x2f10a5ea // USHLL V10.4S, V15.4H, #0
	WORD $0x6f10a5eb // USHLL2 V11.4S, V15.8H, #0
	MOVD sums+24(FP), R2
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R2)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R2)
	VST1   [V8.S4, V9.S4, V10.S4, V11.S4], (R2)
	MOVW l+32(FP), R1
	WORD $0x4e040c32 // DUP V18.4S, W1
	MOVD $0x8040201008040201, R4 // bit k of each byte k of 8
	VMOV R4, V29.D[0]
	VMOV R4, V29.D[1]
	WORD $0x4ea1bc0c // ADDP V12.4S, V0.4S, V1.4S: P[0..3], P[k] = sums[2k] + sums[2k+1]
	WORD $0x4ea3bc4d // ADDP V13.4S, V2.4S, V3.4S
	WORD $0x4ea5bc8e // ADDP V14.4S, V4.4S, V5.4S
	WORD $0x4ea7bccf // ADDP V15.4S, V6.4S, V7.4S
	WORD $0x4ea9bd10 // ADDP V16.4S, V8.4S, V9.4S
	WORD $0x4eabbd51 // ADDP V17.4S, V10.4S, V11.4S: P[20..23]
	WORD $0x4e8f39f3 // ZIP1 V19.4S, V15.4S, V15.4S: the references of sums[0..3]
	WORD $0x4ea08400 // ADD V0.4S, V0.4S, V0.4S
	WORD $0x6eb38400 // SUB V0.4S, V0.4S, V19.4S
	WORD $0x4eb23400 // CMGT V0.4S, V0.4S, V18.4S
	WORD $0x4e8f79f3 // ZIP2 V19.4S, V15.4S, V15.4S: the references of sums[4..7]
	WORD $0x4ea18421 // ADD V1.4S, V1.4S, V1.4S
	WORD $0x6eb38421 // SUB V1.4S, V1.4S, V19.4S
	WORD $0x4eb23421 // CMGT V1.4S, V1.4S, V18.4S
	WORD $0x4e903a13 // ZIP1 V19.4S, V16.4S, V16.4S: the references of sums[8..11]
	WORD $0x4ea28442 // ADD V2.4S, V2.4S, V2.4S
	WORD $0x6eb38442 // SUB V2.4S, V2.4S, V19.4S
	WORD $0x4eb23442 // CMGT V2.4S, V2.4S, V18.4S
	WORD $0x4e907a13 // ZIP2 V19.4S, V16.4S, V16.4S: the references of sums[12..15]
	WORD $0x4ea38463 // ADD V3.4S, V3.4S, V3.4S
	WORD $0x6eb38463 // SUB V3.4S, V3.4S, V19.4S
	WORD $0x4eb23463 // CMGT V3.4S, V3.4S, V18.4S
	WORD $0x4e913a33 // ZIP1 V19.4S, V17.4S, V17.4S: the references of sums[16..19]
	WORD $0x4ea48484 // ADD V4.4S, V4.4S, V4.4S
	WORD $0x6eb38484 // SUB V4.4S, V4.4S, V19.4S
	WORD $0x4eb23484 // CMGT V4.4S, V4.4S, V18.4S
	WORD $0x4e917a33 // ZIP2 V19.4S, V17.4S, V17.4S: the references of sums[20..23]
	WORD $0x4ea584a5 // ADD V5.4S, V5.4S, V5.4S
	WORD $0x6eb384a5 // SUB V5.4S, V5.4S, V19.4S
	WORD $0x4eb234a5 // CMGT V5.4S, V5.4S, V18.4S
	WORD $0x4e8c3993 // ZIP1 V19.4S, V12.4S, V12.4S: the references of sums[24..27]
	WORD $0x4ea684c6 // ADD V6.4S, V6.4S, V6.4S
	WORD $0x6eb384c6 // SUB V6.4S, V6.4S, V19.4S
	WORD $0x4eb234c6 // CMGT V6.4S, V6.4S, V18.4S
	WORD $0x4e8c7993 // ZIP2 V19.4S, V12.4S, V12.4S: the references of sums[28..31]
	WORD $0x4ea784e7 // ADD V7.4S, V7.4S, V7.4S
	WORD $0x6eb384e7 // SUB V7.4S, V7.4S, V19.4S
	WORD $0x4eb234e7 // CMGT V7.4S, V7.4S, V18.4S
	WORD $0x4e8d39b3 // ZIP1 V19.4S, V13.4S, V13.4S: the references of sums[32..35]
	WORD $0x4ea88508 // ADD V8.4S, V8.4S, V8.4S
	WORD $0x6eb38508 // SUB V8.4S, V8.4S, V19.4S
	WORD $0x4eb23508 // CMGT V8.4S, V8.4S, V18.4S
	WORD $0x4e8d79b3 // ZIP2 V19.4S, V13.4S, V13.4S: the references of sums[36..39]
	WORD $0x4ea98529 // ADD V9.4S, V9.4S, V9.4S
	WORD $0x6eb38529 // SUB V9.4S, V9.4S, V19.4S
	WORD $0x4eb23529 // CMGT V9.4S, V9.4S, V18.4S
	WORD $0x4e8e39d3 // ZIP1 V19.4S, V14.4S, V14.4S: the references of sums[40..43]
	WORD $0x4eaa854a // ADD V10.4S, V10.4S, V10.4S
	WORD $0x6eb3854a // SUB V10.4S, V10.4S, V19.4S
	WORD $0x4eb2354a // CMGT V10.4S, V10.4S, V18.4S
	WORD $0x4e8e79d3 // ZIP2 V19.4S, V14.4S, V14.4S: the references of sums[44..47]
	WORD $0x4eab856b // ADD V11.4S, V11.4S, V11.4S
	WORD $0x6eb3856b // SUB V11.4S, V11.4S, V19.4S
	WORD $0x4eb2356b // CMGT V11.4S, V11.4S, V18.4S
	WORD $0x4e411814 // UZP1 V20.8H, V0.8H, V1.8H: the masks narrowed to bytes, in order
	WORD $0x4e431855 // UZP1 V21.8H, V2.8H, V3.8H
	WORD $0x4e451896 // UZP1 V22.8H, V4.8H, V5.8H
	WORD $0x4e4718d7 // UZP1 V23.8H, V6.8H, V7.8H
	WORD $0x4e491918 // UZP1 V24.8H, V8.8H, V9.8H
	WORD $0x4e4b1959 // UZP1 V25.8H, V10.8H, V11.8H
	WORD $0x4e151a9a // UZP1 V26.16B, V20.16B, V21.16B: sides 0-15
	WORD $0x4e171adb // UZP1 V27.16B, V22.16B, V23.16B: sides 16-31
	WORD $0x4e191b1c // UZP1 V28.16B, V24.16B, V25.16B: sides 32-47
	WORD $0x4e3d1f5a // AND V26.16B, V26.16B, V29.16B: each byte its bit
	WORD $0x4e3d1f7b // AND V27.16B, V27.16B, V29.16B
	WORD $0x4e3d1f9c // AND V28.16B, V28.16B, V29.16B
	WORD $0x4e3bbf5e // ADDP V30.16B, V26.16B, V27.16B: three pairwise sums gather each 8 bytes into one
	WORD $0x4e3cbf9f // ADDP V31.16B, V28.16B, V28.16B
	WORD $0x4e3fbfde // ADDP V30.16B, V30.16B, V31.16B
	WORD $0x4e3ebfde // ADDP V30.16B, V30.16B, V30.16B
	VMOV V30.D[0], R0
	AND  $0xffffffffffff, R0 // bits 0-47
	MOVD R0, bright+40(FP)
	RET

// func tileStatsNEON(sb *uint32, sbw int) (sum, lo, hi uint64)
//
// The sum, minimum and maximum of the 4×4 block sums from sb (rows sbw
// apart): a whole tile at Binning 2, for tileMeanFull. The sum is widened
// to 64 bits (UADDLV); integers, so exact in any order.
TEXT ·tileStatsNEON(SB), NOSPLIT, $0-40
	MOVD sb+0(FP), R0
	MOVD sbw+8(FP), R1
	LSL  $2, R1
	VLD1 (R0), [V0.S4]
	ADD  R1, R0
	VLD1 (R0), [V1.S4]
	ADD  R1, R0
	VLD1 (R0), [V2.S4]
	ADD  R1, R0
	VLD1 (R0), [V3.S4]
	WORD $0x4ea18404 // ADD V4.4S, V0.4S, V1.4S
	WORD $0x4ea38445 // ADD V5.4S, V2.4S, V3.4S
	WORD $0x4ea58484 // ADD V4.4S, V4.4S, V5.4S
	WORD $0x6eb03884 // UADDLV D4, V4.4S: sum
	WORD $0x6ea16c06 // UMIN V6.4S, V0.4S, V1.4S
	WORD $0x6ea36c50 // UMIN V16.4S, V2.4S, V3.4S
	WORD $0x6eb06cc6 // UMIN V6.4S, V6.4S, V16.4S
	WORD $0x6eb1a8c6 // UMINV S6, V6.4S: lo
	WORD $0x6ea16407 // UMAX V7.4S, V0.4S, V1.4S
	WORD $0x6ea36451 // UMAX V17.4S, V2.4S, V3.4S
	WORD $0x6eb164e7 // UMAX V7.4S, V7.4S, V17.4S
	WORD $0x6eb0a8e7 // UMAXV S7, V7.4S: hi
	VMOV V4.D[0], R2
	VMOV V6.S[0], R3
	VMOV V7.S[0], R4
	MOVD R2, sum+16(FP)
	MOVD R3, lo+24(FP)
	MOVD R4, hi+32(FP)
	RET

// func tileClipNEON(sb *uint32, sbw int, l uint32) (s, k uint64)
//
// The sum and number of the 4×4 block sums from sb (rows sbw apart) that
// are at most l: one pass of tileMeanStats' clip. Block sums are below
// 2^23, so the 32-bit lanes hold the sum of all 16.
TEXT ·tileClipNEON(SB), NOSPLIT, $0-40
	MOVD sb+0(FP), R0
	MOVD sbw+8(FP), R1
	MOVWU l+16(FP), R2
	LSL  $2, R1
	VLD1 (R0), [V0.S4]
	ADD  R1, R0
	VLD1 (R0), [V1.S4]
	ADD  R1, R0
	VLD1 (R0), [V2.S4]
	ADD  R1, R0
	VLD1 (R0), [V3.S4]
	WORD $0x4e040c44 // DUP V4.4S, W2
	WORD $0x6ea03c90 // CMHS V16.4S, V4.4S, V0.4S: x ≤ l
	WORD $0x6ea13c91 // CMHS V17.4S, V4.4S, V1.4S
	WORD $0x6ea23c92 // CMHS V18.4S, V4.4S, V2.4S
	WORD $0x6ea33c93 // CMHS V19.4S, V4.4S, V3.4S
	WORD $0x4e301c00 // AND V0.16B, V0.16B, V16.16B
	WORD $0x4e311c21 // AND V1.16B, V1.16B, V17.16B
	WORD $0x4e321c42 // AND V2.16B, V2.16B, V18.16B
	WORD $0x4e331c63 // AND V3.16B, V3.16B, V19.16B
	WORD $0x4ea18400 // ADD V0.4S, V0.4S, V1.4S
	WORD $0x4ea38442 // ADD V2.4S, V2.4S, V3.4S
	WORD $0x4ea28400 // ADD V0.4S, V0.4S, V2.4S
	WORD $0x4eb1b800 // ADDV S0, V0.4S: s
	WORD $0x4eb18610 // ADD V16.4S, V16.4S, V17.4S
	WORD $0x4eb38652 // ADD V18.4S, V18.4S, V19.4S
	WORD $0x4eb28610 // ADD V16.4S, V16.4S, V18.4S
	WORD $0x4eb1ba10 // ADDV S16, V16.4S: −k
	VMOV V0.S[0], R3
	VMOV V16.S[0], R4
	NEGW R4, R4 // the masks are −1 each
	MOVD R3, s+24(FP)
	MOVD R4, k+32(FP)
	RET

// Masks of ringSumsNEON: rows 0 and 6 whole (7 pixels), and the two end
// pixels (columns 0 and 6) of rows 1-5, two rows to a register except the
// last.
DATA ringMasks<>+0(SB)/8, $0x00FFFFFFFFFFFFFF
DATA ringMasks<>+8(SB)/8, $0x00FFFFFFFFFFFFFF
DATA ringMasks<>+16(SB)/8, $0x00FF0000000000FF
DATA ringMasks<>+24(SB)/8, $0x00FF0000000000FF
DATA ringMasks<>+32(SB)/8, $0x00FF0000000000FF
DATA ringMasks<>+40(SB)/8, $0
GLOBL ringMasks<>(SB), RODATA|NOPTR, $48

// func ringSumsNEON(p *uint8, stride int, l uint8) (s, s2, k, hi int)
//
// ringSumsAVX2 (simd_amd64.s) on bytes: over the 24 pixels on the border
// of the 7×7 square from p (rows of stride bytes), the sum, the sum of
// squares and the number of those at most l, and the largest of all.
// Reads 8 bytes per row. Squares of bytes fit 16-bit lanes; they are
// widened to 32 bits as they are summed.
TEXT ·ringSumsNEON(SB), NOSPLIT, $0-56
	MOVD p+0(FP), R0
	MOVD stride+8(FP), R1
	MOVBU l+16(FP), R2
	MOVD $ringMasks<>(SB), R3
	VLD1 (R3), [V20.B16, V21.B16, V22.B16]
	VLD1 (R0), [V0.B8]
	ADD  R1, R0
	VLD1 (R0), [V1.B8]
	ADD  R1, R0
	VLD1 (R0), [V2.B8]
	ADD  R1, R0
	VLD1 (R0), [V3.B8]
	ADD  R1, R0
	VLD1 (R0), [V4.B8]
	ADD  R1, R0
	VLD1 (R0), [V5.B8]
	ADD  R1, R0
	VLD1 (R0), [V6.B8]
	// Rows 0 and 6, 1 and 2, 3 and 4 share a register; row 5 is alone.
	VMOV V6.D[0], V0.D[1]
	VMOV V2.D[0], V1.D[1]
	VMOV V4.D[0], V3.D[1]
	VEOR V24.B16, V24.B16, V24.B16 // s, 8×16 bits
	VEOR V25.B16, V25.B16, V25.B16 // s2, 4×32 bits
	VEOR V26.B16, V26.B16, V26.B16 // k, 16×8 bits
	VEOR V27.B16, V27.B16, V27.B16 // hi
	WORD $0x4e010c57 // DUP V23.16B, W2 // l
	WORD $0x4e341c00 // AND V0.16B, V0.16B, V20.16B
	WORD $0x6e20677b // UMAX V27.16B, V27.16B, V0.16B
	WORD $0x6e203efc // CMHS V28.16B, V23.16B, V0.16B: x ≤ l
	WORD $0x4e341f9c // AND V28.16B, V28.16B, V20.16B
	WORD $0x4e3c1c00 // AND V0.16B, V0.16B, V28.16B
	WORD $0x6e206818 // UADALP V24.8H, V0.16B
	WORD $0x2e20c01d // UMULL V29.8H, V0.8B, V0.8B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e20c01d // UMULL2 V29.8H, V0.16B, V0.16B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e3c875a // SUB V26.16B, V26.16B, V28.16B: the masks are −1
	WORD $0x4e351c21 // AND V1.16B, V1.16B, V21.16B
	WORD $0x6e21677b // UMAX V27.16B, V27.16B, V1.16B
	WORD $0x6e213efc // CMHS V28.16B, V23.16B, V1.16B
	WORD $0x4e351f9c // AND V28.16B, V28.16B, V21.16B
	WORD $0x4e3c1c21 // AND V1.16B, V1.16B, V28.16B
	WORD $0x6e206838 // UADALP V24.8H, V1.16B
	WORD $0x2e21c03d // UMULL V29.8H, V1.8B, V1.8B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e21c03d // UMULL2 V29.8H, V1.16B, V1.16B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e3c875a // SUB V26.16B, V26.16B, V28.16B: the masks are −1
	WORD $0x4e351c63 // AND V3.16B, V3.16B, V21.16B
	WORD $0x6e23677b // UMAX V27.16B, V27.16B, V3.16B
	WORD $0x6e233efc // CMHS V28.16B, V23.16B, V3.16B
	WORD $0x4e351f9c // AND V28.16B, V28.16B, V21.16B
	WORD $0x4e3c1c63 // AND V3.16B, V3.16B, V28.16B
	WORD $0x6e206878 // UADALP V24.8H, V3.16B
	WORD $0x2e23c07d // UMULL V29.8H, V3.8B, V3.8B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e23c07d // UMULL2 V29.8H, V3.16B, V3.16B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e3c875a // SUB V26.16B, V26.16B, V28.16B: the masks are −1
	WORD $0x4e361ca5 // AND V5.16B, V5.16B, V22.16B
	WORD $0x6e25677b // UMAX V27.16B, V27.16B, V5.16B
	WORD $0x6e253efc // CMHS V28.16B, V23.16B, V5.16B
	WORD $0x4e361f9c // AND V28.16B, V28.16B, V22.16B
	WORD $0x4e3c1ca5 // AND V5.16B, V5.16B, V28.16B
	WORD $0x6e2068b8 // UADALP V24.8H, V5.16B
	WORD $0x2e25c0bd // UMULL V29.8H, V5.8B, V5.8B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e25c0bd // UMULL2 V29.8H, V5.16B, V5.16B
	WORD $0x6e606bb9 // UADALP V25.4S, V29.8H
	WORD $0x6e3c875a // SUB V26.16B, V26.16B, V28.16B: the masks are −1
	WORD $0x6e703b18 // UADDLV S24, V24.8H
	WORD $0x6eb03b39 // UADDLV D25, V25.4S
	WORD $0x6e303b5a // UADDLV H26, V26.16B
	WORD $0x6e30ab7b // UMAXV B27, V27.16B
	VMOV V24.S[0], R4
	VMOV V25.D[0], R5
	VMOV V26.H[0], R6
	VMOV V27.B[0], R7
	MOVD R4, s+24(FP)
	MOVD R5, s2+32(FP)
	MOVD R6, k+40(FP)
	MOVD R7, hi+48(FP)
	RET

// func blockLimitsNEON(r0, r1 *float64, ay1, ay, lt float64, bg *float32, thr *uint64, n int)
//
// blockLimits for n (even) blocks, two at a time: bg[i] = float32(r0[i]·ay1
// + r1[i]·ay), with both products rounded before the sum (no fused
// multiply-add, as setBlockLimits is written), t = clamp(int(float64(bg[i])
// + lt), 0, 0x7FFE) and thr[i] = (0x7FFF − t) in all four 16-bit lanes.
// FCVTZS truncates, as int() does; the caller keeps bg + lt below 2^30,
// so the narrowing to 32 bits before the clamp is exact.
TEXT ·blockLimitsNEON(SB), NOSPLIT, $0-64
	MOVD  r0+0(FP), R0
	MOVD  r1+8(FP), R1
	FMOVD ay1+16(FP), F20
	FMOVD ay+24(FP), F21
	FMOVD lt+32(FP), F22
	MOVD  bg+40(FP), R2
	MOVD  thr+48(FP), R3
	MOVD  n+56(FP), R4
	LSR   $1, R4
	CBZ   R4, limDone
	MOVD  $0x7FFE, R9
	MOVD  $0x7FFF, R10
	WORD $0x4e080694 // DUP V20.2D, V20.D[0]
	WORD $0x4e0806b5 // DUP V21.2D, V21.D[0]
	WORD $0x4e0806d6 // DUP V22.2D, V22.D[0]
	WORD $0x4e040d3b // DUP V27.4S, W9
	WORD $0x4e040d5c // DUP V28.4S, W10
	VEOR  V26.B16, V26.B16, V26.B16

limLoop:
	VLD1.P 16(R0), [V0.D2]
	VLD1.P 16(R1), [V1.D2]
	WORD $0x6e74dc02 // FMUL V2.2D, V0.2D, V20.2D
	WORD $0x6e75dc23 // FMUL V3.2D, V1.2D, V21.2D
	WORD $0x4e63d442 // FADD V2.2D, V2.2D, V3.2D
	WORD $0x0e616844 // FCVTN V4.2S, V2.2D: bg, rounded to float32
	WORD $0x0e617885 // FCVTL V5.2D, V4.2S
	WORD $0x4e76d4a5 // FADD V5.2D, V5.2D, V22.2D
	WORD $0x4ee1b8a5 // FCVTZS V5.2D, V5.2D: t
	WORD $0x0ea128a6 // XTN V6.2S, V5.2D
	WORD $0x0eba64c6 // SMAX V6.2S, V6.2S, V26.2S
	WORD $0x0ebb6cc6 // SMIN V6.2S, V6.2S, V27.2S
	WORD $0x2ea68786 // SUB V6.2S, V28.2S, V6.2S: 0x7FFF − t
	WORD $0x0e6128c7 // XTN V7.4H, V6.4S
	WORD $0x4e4738e7 // ZIP1 V7.8H, V7.8H, V7.8H
	WORD $0x4e8738e7 // ZIP1 V7.4S, V7.4S, V7.4S: in all four lanes
	VST1.P [V4.S2], 8(R2)
	VST1.P [V7.D2], 16(R3)
	SUB  $1, R4
	CBNZ R4, limLoop

limDone:
	RET

// Constants of peak4x4NEON: per pixel index i, 16 + 15 − i (keys
// (v+1)·16 + 15 − i, so that the largest key is the first maximum in
// scan order), then bit i (its claim bit).
DATA peakConsts<>+0(SB)/8, $0x001c001d001e001f
DATA peakConsts<>+8(SB)/8, $0x00180019001a001b
DATA peakConsts<>+16(SB)/8, $0x0014001500160017
DATA peakConsts<>+24(SB)/8, $0x0010001100120013
DATA peakConsts<>+32(SB)/8, $0x0008000400020001
DATA peakConsts<>+40(SB)/8, $0x0080004000200010
DATA peakConsts<>+48(SB)/8, $0x0800040002000100
DATA peakConsts<>+56(SB)/8, $0x8000400020001000
GLOBL peakConsts<>(SB), RODATA|NOPTR, $64

// func peak4x4NEON(p *uint8, stride int, bits *uint64, j, width int) (k, v int)
//
// peak4x4AVX2 (simd_amd64.s) with NEON: the brightest of the 4×4 pixels
// from p (rows of stride bytes) that are not claimed (bits, from bit j on
// for the first row, width bits on per row; each row's four bits may
// straddle two words): its index k = 4·row + column (the first in scan
// order on ties) and value v; v = −1 when all are claimed. Keys are
// (v+1)·16 + 15 − k, 0 for claimed pixels, and UMAXV finds the largest.
TEXT ·peak4x4NEON(SB), NOSPLIT, $0-56
	MOVD  p+0(FP), R0
	MOVD  stride+8(FP), R1
	MOVD  bits+16(FP), R7
	MOVD  j+24(FP), R8
	MOVD  width+32(FP), R9
	MOVD  $63, R15
	MOVD  ZR, R2 // the claim bits, 4·row + column
	LSR   $6, R8, R11
	MOVD  (R7)(R11<<3), R12
	ADD   $1, R11
	MOVD  (R7)(R11<<3), R13
	AND   $63, R8, R14
	LSR   R14, R12, R12
	SUB   R14, R15, R14
	LSL   $1, R13
	LSL   R14, R13, R13 // bits[w+1] << (64 − sh), 0 when sh is 0
	ORR   R13, R12, R12
	AND   $15, R12
	ORR   R12, R2, R2
	ADD   R9, R8
	LSR   $6, R8, R11
	MOVD  (R7)(R11<<3), R12
	ADD   $1, R11
	MOVD  (R7)(R11<<3), R13
	AND   $63, R8, R14
	LSR   R14, R12, R12
	SUB   R14, R15, R14
	LSL   $1, R13
	LSL   R14, R13, R13 // bits[w+1] << (64 − sh), 0 when sh is 0
	ORR   R13, R12, R12
	AND   $15, R12
	ORR   R12<<4, R2, R2
	ADD   R9, R8
	LSR   $6, R8, R11
	MOVD  (R7)(R11<<3), R12
	ADD   $1, R11
	MOVD  (R7)(R11<<3), R13
	AND   $63, R8, R14
	LSR   R14, R12, R12
	SUB   R14, R15, R14
	LSL   $1, R13
	LSL   R14, R13, R13 // bits[w+1] << (64 − sh), 0 when sh is 0
	ORR   R13, R12, R12
	AND   $15, R12
	ORR   R12<<8, R2, R2
	ADD   R9, R8
	LSR   $6, R8, R11
	MOVD  (R7)(R11<<3), R12
	ADD   $1, R11
	MOVD  (R7)(R11<<3), R13
	AND   $63, R8, R14
	LSR   R14, R12, R12
	SUB   R14, R15, R14
	LSL   $1, R13
	LSL   R14, R13, R13 // bits[w+1] << (64 − sh), 0 when sh is 0
	ORR   R13, R12, R12
	AND   $15, R12
	ORR   R12<<12, R2, R2
	MOVD  $peakConsts<>(SB), R3
	VLD1  (R3), [V16.H8, V17.H8, V18.H8, V19.H8]
	MOVWU (R0), R3
	ADD   R1, R0
	MOVWU (R0), R4
	ADD   R1, R0
	MOVWU (R0), R5
	ADD   R1, R0
	MOVWU (R0), R6
	ORR   R4<<32, R3, R3
	ORR   R6<<32, R5, R5
	VMOV  R3, V0.D[0]
	VMOV  R5, V0.D[1]
	WORD $0x2f08a401 // USHLL V1.8H, V0.8B, #0
	WORD $0x6f08a402 // USHLL2 V2.8H, V0.16B, #0
	WORD $0x4f145421 // SHL V1.8H, V1.8H, #4
	WORD $0x4f145442 // SHL V2.8H, V2.8H, #4
	WORD $0x4e708421 // ADD V1.8H, V1.8H, V16.8H: keys
	WORD $0x4e718442 // ADD V2.8H, V2.8H, V17.8H
	WORD $0x4e020c43 // DUP V3.8H, W2
	WORD $0x4e728c64 // CMTST V4.8H, V3.8H, V18.8H: claimed
	WORD $0x4e738c65 // CMTST V5.8H, V3.8H, V19.8H
	WORD $0x4e641c21 // BIC V1.16B, V1.16B, V4.16B
	WORD $0x4e651c42 // BIC V2.16B, V2.16B, V5.16B
	WORD $0x6e626421 // UMAX V1.8H, V1.8H, V2.8H
	WORD $0x6e70a821 // UMAXV H1, V1.8H
	VMOV  V1.H[0], R3
	LSR   $4, R3, R4
	SUB   $1, R4 // v: −1 when the key is 0 (all claimed)
	AND   $15, R3, R5
	MOVD  $15, R6
	SUB   R5, R6, R5 // k
	MOVD  R5, k+40(FP)
	MOVD  R4, v+48(FP)
	RET

// Constants of winLoadNEON: TBL indices that widen bytes 0-6 of a row to
// the 64-bit lanes of four registers (index 0xFF gives 0, so column 7
// starts at 0), and the mask that keeps column 7 at 0 after − b.
DATA winConsts<>+0(SB)/8, $0xffffffffffffff00
DATA winConsts<>+8(SB)/8, $0xffffffffffffff01
DATA winConsts<>+16(SB)/8, $0xffffffffffffff02
DATA winConsts<>+24(SB)/8, $0xffffffffffffff03
DATA winConsts<>+32(SB)/8, $0xffffffffffffff04
DATA winConsts<>+40(SB)/8, $0xffffffffffffff05
DATA winConsts<>+48(SB)/8, $0xffffffffffffff06
DATA winConsts<>+56(SB)/8, $0xffffffffffffffff
DATA winConsts<>+64(SB)/8, $0xffffffffffffffff
DATA winConsts<>+72(SB)/8, $0x0000000000000000
GLOBL winConsts<>(SB), RODATA|NOPTR, $80

// func winLoadNEON(src *uint8, stride int, b float64, win *[56]float64) (ssPos, ssAll, m, mx, my float64)
//
// win[8j+k] = src[j·stride+k] − b for j, k < 7 and 0 in column 7 (exact:
// bytes convert exactly, and one subtraction rounds as the portable
// code's does); returns Σ max(v, 0)² and Σ v² over the window, whose
// order and fused multiply-adds differ from the portable sums by a few
// ulps: they only bound the centroid's statistic, with margins (centroid).
// Reads 8 bytes per row.
TEXT ·winLoadNEON(SB), NOSPLIT, $0-72
	MOVD  src+0(FP), R0
	MOVD  stride+8(FP), R1
	FMOVD b+16(FP), F20
	MOVD  win+24(FP), R2
	MOVD  $winConsts<>(SB), R3
	VLD1.P 64(R3), [V16.B16, V17.B16, V18.B16, V19.B16]
	VLD1  (R3), [V21.B16]
	WORD $0x4e080694 // DUP V20.2D, V20.D[0]
	VEOR  V22.B16, V22.B16, V22.B16 // 0
	VEOR  V24.B16, V24.B16, V24.B16 // Σ v², two accumulators
	VEOR  V25.B16, V25.B16, V25.B16
	VEOR  V28.B16, V28.B16, V28.B16 // Σ max(v, 0)², two accumulators
	VEOR  V29.B16, V29.B16, V29.B16
	MOVD  $7, R4

winRow:
	VLD1  (R0), [V0.B8]
	ADD   R1, R0
	WORD $0x4e100001 // TBL V1.16B, { V0.16B }, V16.16B
	WORD $0x4e110002 // TBL V2.16B, { V0.16B }, V17.16B
	WORD $0x4e120003 // TBL V3.16B, { V0.16B }, V18.16B
	WORD $0x4e130004 // TBL V4.16B, { V0.16B }, V19.16B
	WORD $0x6e61d821 // UCVTF V1.2D, V1.2D
	WORD $0x6e61d842 // UCVTF V2.2D, V2.2D
	WORD $0x6e61d863 // UCVTF V3.2D, V3.2D
	WORD $0x6e61d884 // UCVTF V4.2D, V4.2D
	WORD $0x4ef4d421 // FSUB V1.2D, V1.2D, V20.2D
	WORD $0x4ef4d442 // FSUB V2.2D, V2.2D, V20.2D
	WORD $0x4ef4d463 // FSUB V3.2D, V3.2D, V20.2D
	WORD $0x4ef4d484 // FSUB V4.2D, V4.2D, V20.2D
	WORD $0x4e351c84 // AND V4.16B, V4.16B, V21.16B: column 7 back to 0
	VST1.P [V1.D2, V2.D2, V3.D2, V4.D2], 64(R2)
	WORD $0x4e61cc38 // FMLA V24.2D, V1.2D, V1.2D
	WORD $0x4e62cc59 // FMLA V25.2D, V2.2D, V2.2D
	WORD $0x4e63cc78 // FMLA V24.2D, V3.2D, V3.2D
	WORD $0x4e64cc99 // FMLA V25.2D, V4.2D, V4.2D
	WORD $0x4e76f425 // FMAX V5.2D, V1.2D, V22.2D
	WORD $0x4e76f446 // FMAX V6.2D, V2.2D, V22.2D
	WORD $0x4e76f467 // FMAX V7.2D, V3.2D, V22.2D
	WORD $0x4e76f497 // FMAX V23.2D, V4.2D, V22.2D
	WORD $0x4e65ccbc // FMLA V28.2D, V5.2D, V5.2D
	WORD $0x4e66ccdd // FMLA V29.2D, V6.2D, V6.2D
	WORD $0x4e67ccfc // FMLA V28.2D, V7.2D, V7.2D
	WORD $0x4e77cefd // FMLA V29.2D, V23.2D, V23.2D
	SUB   $1, R4
	CBNZ  R4, winRow
	WORD $0x4e79d718 // FADD V24.2D, V24.2D, V25.2D
	WORD $0x7e70db18 // FADDP D24, V24.2D
	WORD $0x4e7dd79c // FADD V28.2D, V28.2D, V29.2D
	WORD $0x7e70db9c // FADDP D28, V28.2D
	FMOVD F28, ssPos+32(FP)
	FMOVD F24, ssAll+40(FP)
	// firstMoment's sums over the 3×3 cells around the centre (rows 2-4,
	// columns 2-4), in its order: m += q0, q1, q2 and mx += −q0, q2 per
	// row, my += −q0, −q1, −q2 for the row above and q0, q1, q2 for the
	// one below (the products with −1, 0 and 1 are exact, and adding the
	// centre row's zeros changes nothing: the sums are never −0).
	MOVD  win+24(FP), R2
	FMOVD ZR, F0 // m
	FMOVD ZR, F1 // mx
	FMOVD ZR, F2 // my
	FMOVD ZR, F3 // 0, for max(q, 0)
	FMOVD 144(R2), F4 // row 2
	FMOVD 152(R2), F5
	FMOVD 160(R2), F6
	FMAXD F3, F4, F4
	FMAXD F3, F5, F5
	FMAXD F3, F6, F6
	FADDD F4, F0, F0
	FADDD F5, F0, F0
	FADDD F6, F0, F0
	FSUBD F4, F1, F1
	FADDD F6, F1, F1
	FSUBD F4, F2, F2
	FSUBD F5, F2, F2
	FSUBD F6, F2, F2
	FMOVD 208(R2), F4 // row 3
	FMOVD 216(R2), F5
	FMOVD 224(R2), F6
	FMAXD F3, F4, F4
	FMAXD F3, F5, F5
	FMAXD F3, F6, F6
	FADDD F4, F0, F0
	FADDD F5, F0, F0
	FADDD F6, F0, F0
	FSUBD F4, F1, F1
	FADDD F6, F1, F1
	FMOVD 272(R2), F4 // row 4
	FMOVD 280(R2), F5
	FMOVD 288(R2), F6
	FMAXD F3, F4, F4
	FMAXD F3, F5, F5
	FMAXD F3, F6, F6
	FADDD F4, F0, F0
	FADDD F5, F0, F0
	FADDD F6, F0, F0
	FSUBD F4, F1, F1
	FADDD F6, F1, F1
	FADDD F4, F2, F2
	FADDD F5, F2, F2
	FADDD F6, F2, F2
	FMOVD F0, m+48(FP)
	FMOVD F1, mx+56(FP)
	FMOVD F2, my+64(FP)
	RET

// func boxSumNEON(p *uint8, stride, rows int, mask *byte, wide bool) int
//
// The sum of the bytes of rows rows of 16 bytes (32 when wide) from p,
// each ANDed with the bytes at mask (0xFF for the bytes to count). Pair
// sums are widened to 32-bit lanes every row, so any number of rows fits.
TEXT ·boxSumNEON(SB), NOSPLIT, $0-48
	MOVD p+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD rows+16(FP), R2
	MOVD mask+24(FP), R3
	MOVBU wide+32(FP), R4
	VLD1 (R3), [V16.B16, V17.B16]
	VEOR V2.B16, V2.B16, V2.B16
	CBZ  R2, boxDone
	CBNZ R4, boxWide

boxNarrow:
	VLD1 (R0), [V0.B16]
	ADD  R1, R0
	WORD $0x4e301c00 // AND V0.16B, V0.16B, V16.16B
	WORD $0x6e202800 // UADDLP V0.8H, V0.16B
	WORD $0x6e606802 // UADALP V2.4S, V0.8H
	SUB  $1, R2
	CBNZ R2, boxNarrow
	B    boxDone

boxWide:
	VLD1 (R0), [V0.B16, V1.B16]
	ADD  R1, R0
	WORD $0x4e301c00 // AND V0.16B, V0.16B, V16.16B
	WORD $0x4e311c21 // AND V1.16B, V1.16B, V17.16B
	WORD $0x6e202800 // UADDLP V0.8H, V0.16B
	WORD $0x6e206820 // UADALP V0.8H, V1.16B
	WORD $0x6e606802 // UADALP V2.4S, V0.8H
	SUB  $1, R2
	CBNZ R2, boxWide

boxDone:
	WORD $0x4eb1b842 // ADDV S2, V2.4S
	VMOV V2.S[0], R5
	MOVD R5, ret+40(FP)
	RET

// func noiseDiffsNEON(row *uint64, chunks, step int, satBox int, out *uint16)
//
// noiseDiffsAVX2 (simd_amd64.s) eight pairs at a time: for 8·chunks box
// pairs (k, k+step) of a row of the candidate image (16-bit boxes in
// memory order), out[k] = min(|box k − box k+step|, 4095), or 0xFFFF when
// both boxes are at least satBox (at most 0xFFFF) or both are 0 (the
// pairs noiseHist skips).
TEXT ·noiseDiffsNEON(SB), NOSPLIT, $0-40
	MOVD row+0(FP), R0
	MOVD chunks+8(FP), R1
	MOVD step+16(FP), R2
	MOVD satBox+24(FP), R3
	MOVD out+32(FP), R4
	ADD  R2<<1, R0, R6 // box k + step
	MOVD $4095, R5
	WORD $0x4e020c74 // DUP V20.8H, W3
	WORD $0x4e020cb6 // DUP V22.8H, W5
	CBZ  R1, diffsDone

diffsLoop:
	VLD1.P 16(R0), [V0.H8]
	VLD1.P 16(R6), [V1.H8]
	WORD $0x6e617402 // UABD V2.8H, V0.8H, V1.8H: |x − y|
	WORD $0x6e766c42 // UMIN V2.8H, V2.8H, V22.8H
	WORD $0x6e743c03 // CMHS V3.8H, V0.8H, V20.8H
	WORD $0x6e743c24 // CMHS V4.8H, V1.8H, V20.8H
	WORD $0x4e241c63 // AND V3.16B, V3.16B, V4.16B
	WORD $0x4ea11c05 // ORR V5.16B, V0.16B, V1.16B
	WORD $0x4e6098a5 // CMEQ V5.8H, V5.8H, #0
	WORD $0x4ea51c63 // ORR V3.16B, V3.16B, V5.16B
	WORD $0x4ea31c42 // ORR V2.16B, V2.16B, V3.16B: 0xFFFF for the skipped pairs
	VST1.P [V2.H8], 16(R4)
	SUB  $1, R1
	CBNZ R1, diffsLoop

diffsDone:
	RET

// func countLENEON(buf *uint16, chunks int, v int) int
//
// The number of the 16·chunks values of buf that are at most v (0 ≤ v <
// 0xFFFF). The compare masks (−1 each) are summed in 32-bit lanes.
TEXT ·countLENEON(SB), NOSPLIT, $0-32
	MOVD buf+0(FP), R0
	MOVD chunks+8(FP), R1
	MOVD v+16(FP), R2
	WORD $0x4e020c54 // DUP V20.8H, W2
	VEOR V21.B16, V21.B16, V21.B16
	CBZ  R1, countDone

countLoop:
	VLD1.P 32(R0), [V0.H8, V1.H8]
	WORD $0x6e603e82 // CMHS V2.8H, V20.8H, V0.8H: x ≤ v
	WORD $0x6e613e83 // CMHS V3.8H, V20.8H, V1.8H
	WORD $0x4e638442 // ADD V2.8H, V2.8H, V3.8H
	WORD $0x4e606855 // SADALP V21.4S, V2.8H
	SUB  $1, R1
	CBNZ R1, countLoop

countDone:
	WORD $0x4eb1bab5 // ADDV S21, V21.4S
	VMOV V21.S[0], R3
	NEGW R3, R3
	MOVD R3, ret+24(FP)
	RET

// func aboveMaskNEON(p *uint8, lv uint8) uint64
//
// Bit k set for each of the 64 bytes p[k] above lv (fillBlobMask's free
// pixels): unsigned compares, each mask byte given its bit and the bytes
// summed eight to one.
TEXT ·aboveMaskNEON(SB), NOSPLIT, $0-24
	MOVD  p+0(FP), R0
	MOVBU lv+8(FP), R1
	VLD1  (R0), [V0.B16, V1.B16, V2.B16, V3.B16]
	MOVD  $0x8040201008040201, R2 // bit k of each byte k of 8
	VMOV  R2, V5.D[0]
	VMOV  R2, V5.D[1]
	WORD $0x4e010c24 // DUP V4.16B, W1
	WORD $0x6e243400 // CMHI V0.16B, V0.16B, V4.16B: the pixels above lv
	WORD $0x6e243421 // CMHI V1.16B, V1.16B, V4.16B
	WORD $0x6e243442 // CMHI V2.16B, V2.16B, V4.16B
	WORD $0x6e243463 // CMHI V3.16B, V3.16B, V4.16B
	WORD $0x4e251c00 // AND V0.16B, V0.16B, V5.16B: each byte its bit
	WORD $0x4e251c21 // AND V1.16B, V1.16B, V5.16B
	WORD $0x4e251c42 // AND V2.16B, V2.16B, V5.16B
	WORD $0x4e251c63 // AND V3.16B, V3.16B, V5.16B
	WORD $0x4e21bc06 // ADDP V6.16B, V0.16B, V1.16B: three pairwise sums gather each 8 bytes into one
	WORD $0x4e23bc47 // ADDP V7.16B, V2.16B, V3.16B
	WORD $0x4e27bcc6 // ADDP V6.16B, V6.16B, V7.16B
	WORD $0x4e26bcc6 // ADDP V6.16B, V6.16B, V6.16B
	VMOV  V6.D[0], R0
	MOVD  R0, ret+16(FP)
	RET
