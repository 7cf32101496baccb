//go:build arm64 && !purego

#include "go_asm.h"
#include "textflag.h"

// The fused seed chain of refineAt (seedfast.go): findSeed, boxPreTest,
// localSky with ringStats and the second boxPreTest in one call, for 8-bit
// frames at Binning 2 whose candidate neighbourhood lies inside the frame.
// As in simd_arm64.s, instructions Go's assembler lacks are written as
// WORD with their encoding and the instruction in the comment.
//
// Every floating-point step is the portable code's (seed.go, backgroundAt
// in background.go), in its order: those round each product before the
// sum or difference it enters (float64(a*b) + c), so there is no fused
// multiply-add on either side, and FMUL then FADD here give their bits.
// Divisions, square roots, FRINTM (math.Floor), FCVTZS (int()), FMAX (the
// builtin max) and the compares are exact IEEE operations on both sides;
// the integer sums are exact. The compares follow Go's: a < b is B.MI (not
// taken when unordered), a > b is B.GT or FCSEL GT, "not a > 0" is B.LE
// (taken when unordered), a != b is "not B.EQ". (At Binning 2 the
// background's products are exact anyway: fx and fy are multiples of 1/64
// and the tiles float32; the ring's variance is where a fused
// multiply-add would change the bits.)
//
// seedfast_test.go compares the kernel with the Go stages at every box of
// real and random frames, bit for bit.

// Constants of seedChainNEON.
//
//	+0   per pixel index i of the 4×4 block, 16 + 15 − i: the peak search's
//	     keys are (v+1)·16 + 15 − i (as peak4x4NEON's), so the largest key
//	     is the first maximum in scan order
//	+32  per pixel index i, bit i: its claim bit
//	+64  rows 0 and 6 of the 7×7 square: bytes 0-6 of each half (the ring)
//	+80  TBL indices that gather the ring's pixels of rows 1-5 (bytes 0
//	     and 6 of each) from the table {rows 1|2, rows 3|4, row 5}; 0xFF
//	     gives 0
//	+96  the 10 bytes that TBL fills
//	+112 16-bit lanes 2-4: the 3×3 box's columns
DATA seedConsts<>+0(SB)/8, $0x001c001d001e001f
DATA seedConsts<>+8(SB)/8, $0x00180019001a001b
DATA seedConsts<>+16(SB)/8, $0x0014001500160017
DATA seedConsts<>+24(SB)/8, $0x0010001100120013
DATA seedConsts<>+32(SB)/8, $0x0008000400020001
DATA seedConsts<>+40(SB)/8, $0x0080004000200010
DATA seedConsts<>+48(SB)/8, $0x0800040002000100
DATA seedConsts<>+56(SB)/8, $0x8000400020001000
DATA seedConsts<>+64(SB)/8, $0x00FFFFFFFFFFFFFF
DATA seedConsts<>+72(SB)/8, $0x00FFFFFFFFFFFFFF
DATA seedConsts<>+80(SB)/8, $0x1e1816100e080600
DATA seedConsts<>+88(SB)/8, $0xffffffffffff2620
DATA seedConsts<>+96(SB)/8, $-1
DATA seedConsts<>+104(SB)/8, $0x000000000000FFFF
DATA seedConsts<>+112(SB)/8, $0xFFFFFFFF00000000
DATA seedConsts<>+120(SB)/8, $0x000000000000FFFF
GLOBL seedConsts<>(SB), RODATA|NOPTR, $128

// func seedChainNEON(f *frame[uint8], cx, cy int) (stage int)
//
// refineAt's chain for candidate box (cx, cy), with the Detector's fields
// at go_asm.h's offsets and frame[uint8]'s at seedfast_arm64.go's
// constants. It returns seedPortable, having written nothing, when the
// chain does not apply here: Binning 1, the 4×4 block or the ring around
// any of its pixels not inside the frame and the buffer (cx ≥ 2, cy ≥ 2,
// 2cx+5 < width, 2cy+5 < height and the last row's 8-byte read in
// len(pix)), or a hot pixel's row next to the seed (boxPreTest's rows).
// Otherwise it writes f.seed as the portable stages leave it and returns
// seedPass or the stage that rejects the seed (seedClaimed writes nothing,
// as findSeed does not).
//
// Registers: R0 f, R1 d, R2 pix, R3 len(pix), R4 stride, R9 the
// constants (seedConsts, then seedConsts+64), R10/R11 the block's corner
// (x0, y0), R23 py, R24 the seed's value, R25 px; F22 bg, F23 noise, F24
// value, F25 excess, F7 the 3×3 sum, F4 3·noise, F5 0.7·Sigma; V0 rows 0
// and 6, V8 rows 1|2, V9 rows 3|4, V10 row 5 of the 7×7 square around the
// seed; V31 zero.
TEXT ·seedChainNEON(SB), NOSPLIT, $0-32
	MOVD f+0(FP), R0
	MOVD cx+8(FP), R5
	MOVD cy+16(FP), R6
	MOVD const_seedFrameD(R0), R1
	MOVD const_seedFramePix(R0), R2
	MOVD (const_seedFramePix+8)(R0), R3
	MOVD const_seedFrameStride(R0), R4
	MOVD Detector_width(R1), R7
	MOVD Detector_height(R1), R8
	MOVD Detector_boxStride(R1), R9
	CMP  $2, R9
	BNE  portable
	MOVD $seedConsts<>(SB), R9
	CMP  $2, R5
	BLT  portable
	CMP  $2, R6
	BLT  portable
	// 2cx+5 < w and 2cy+5 < h: every pixel of the block has the ring
	// (Chebyshev distance 3) inside the frame, as localSky requires.
	LSL  $1, R5, R10
	ADD  $5, R10, R12
	CMP  R7, R12
	BGE  portable
	LSL  $1, R6, R11
	ADD  $5, R11, R12
	CMP  R8, R12
	BGE  portable
	// The last byte read, 4 right of the block's last column in row
	// 2cy+5, within len(pix).
	ADD  $7, R10, R13
	MADD R4, R13, R12, R13 // (2cy+5)·stride + 2cx+7
	CMP  R3, R13
	BGT  portable
	SUB  $1, R10 // x0
	SUB  $1, R11 // y0

	// findSeed: peak4x4NEON's search. The four rows' 4 pixels into V0.
	MADD R4, R10, R11, R12
	ADD  R2, R12
	MOVWU (R12), R13
	MOVWU (R12)(R4), R14
	ADD  R4<<1, R12, R15
	MOVWU (R15), R16
	MOVWU (R15)(R4), R17
	ORR  R14<<32, R13, R13
	ORR  R17<<32, R16, R16
	FMOVD R13, F0
	VMOV R16, V0.D[1]
	// Their claim bits, 4·row + column in R22: bit j of claimBits is bit
	// j&7 of byte j>>3 (little-endian words), and the 4 bits from j lie
	// in the two bytes from j>>3 (the bitmap's padding word keeps the
	// second in bounds).
	MOVD Detector_claimBits(R1), R19
	MADD R7, R10, R11, R20 // j = y0·w + x0
	LSR  $3, R20, R21
	MOVHU (R19)(R21), R13
	AND  $7, R20, R21
	LSR  R21, R13, R13
	AND  $15, R13, R22
	ADD  R7, R20
	LSR  $3, R20, R21
	MOVHU (R19)(R21), R13
	AND  $7, R20, R21
	LSR  R21, R13, R13
	BFI  $4, R13, $4, R22
	ADD  R7, R20
	LSR  $3, R20, R21
	MOVHU (R19)(R21), R13
	AND  $7, R20, R21
	LSR  R21, R13, R13
	BFI  $8, R13, $4, R22
	ADD  R7, R20
	LSR  $3, R20, R21
	MOVHU (R19)(R21), R13
	AND  $7, R20, R21
	LSR  R21, R13, R13
	BFI  $12, R13, $4, R22
	VLD1.P 64(R9), [V16.H8, V17.H8, V18.H8, V19.H8]
	WORD $0x2f0ca401 // USHLL V1.8H, V0.8B, #4
	WORD $0x6f0ca402 // USHLL2 V2.8H, V0.16B, #4
	WORD $0x4e708421 // ADD V1.8H, V1.8H, V16.8H: keys
	WORD $0x4e718442 // ADD V2.8H, V2.8H, V17.8H
	WORD $0x4e020ec3 // DUP V3.8H, W22
	WORD $0x4e728c64 // CMTST V4.8H, V3.8H, V18.8H: claimed
	WORD $0x4e738c65 // CMTST V5.8H, V3.8H, V19.8H
	WORD $0x4e641c21 // BIC V1.16B, V1.16B, V4.16B
	WORD $0x4e651c42 // BIC V2.16B, V2.16B, V5.16B
	WORD $0x6e626421 // UMAX V1.8H, V1.8H, V2.8H
	WORD $0x6e70a821 // UMAXV H1, V1.8H: clears the rest of V1
	FMOVS F1, R13
	CMP  $16, R13
	BLT  claimed // key 0: every pixel claimed
	LSR  $4, R13, R24
	SUB  $1, R24 // the seed's value
	AND  $15, R13, R14
	EOR  $15, R14 // k = 15 − (key & 15)
	AND  $3, R14, R15
	ADD  R15, R10, R25 // px = x0 + k&3
	LSR  $2, R14, R15
	ADD  R15, R11, R23 // py = y0 + k>>2

	// backgroundAt(px+0.5, py+0.5), x in lane 0 and y in lane 1.
	FMOVD R25, F6
	VMOV R23, V6.D[1]
	WORD $0x4e61d8c6 // SCVTF V6.2D, V6.2D
	WORD $0x6f03f414 // FMOV V20.2D, #0.5
	WORD $0x6f03f615 // FMOV V21.2D, #1.0
	WORD $0x6f00e41f // MOVI V31.2D, #0
	WORD $0x4e74d4c6 // FADD V6.2D, V6.2D, V20.2D: x = px + 0.5
	WORD $0x4ef5d4c6 // FSUB V6.2D, V6.2D, V21.2D: x − 1
	FMOVD Detector_invBoxStride(R1), F7
	FMOVD Detector_invTileBoxes(R1), F8
	WORD $0x4fc790c6 // FMUL V6.2D, V6.2D, V7.D[0]
	WORD $0x4e74d4c6 // FADD V6.2D, V6.2D, V20.2D: u = float64((x−1)·invS) + 0.5
	WORD $0x4fc890c6 // FMUL V6.2D, V6.2D, V8.D[0]
	WORD $0x4ef4d4c6 // FSUB V6.2D, V6.2D, V20.2D: fx = float64(u·invTB) − 0.5
	FMOVD Detector_lastTileCol(R1), F9
	FMOVD Detector_lastTileRow(R1), F10
	WORD $0x6e180549 // MOV V9.D[1], V10.D[0]
	// clampF(fx, 0, last): fx is never NaN or −0, so FMAX, FMIN.
	WORD $0x4e7ff4c6 // FMAX V6.2D, V6.2D, V31.2D
	WORD $0x4ee9f4c6 // FMIN V6.2D, V6.2D, V9.2D
	WORD $0x4ee1b8cb // FCVTZS V11.2D, V6.2D: x0 = int(fx)
	WORD $0x4e61d96c // SCVTF V12.2D, V11.2D
	WORD $0x4eecd4cd // FSUB V13.2D, V6.2D, V12.2D: ax = fx − float64(x0)
	WORD $0x4eedd6ae // FSUB V14.2D, V21.2D, V13.2D: 1 − ax
	FMOVD F11, R12 // tile column x0
	VMOV V11.D[1], R13 // tile row y0
	MOVD Detector_tilesW(R1), R14
	MOVD Detector_tilesH(R1), R15
	SUB  $1, R14, R16
	ADD  $1, R12, R17
	CMP  R16, R17
	CSEL GT, R16, R17, R17 // x1 = min(x0+1, tilesW−1)
	SUB  $1, R15, R16
	ADD  $1, R13, R19
	CMP  R16, R19
	CSEL GT, R16, R19, R19 // y1 = min(y0+1, tilesH−1)
	MUL  R14, R13, R13
	MUL  R14, R19, R19
	MOVD Detector_tileBackground(R1), R20
	ADD  R12, R13, R21
	FMOVS (R20)(R21<<2), F15
	ADD  R17, R13, R21
	FMOVS (R20)(R21<<2), F16
	ADD  R12, R19, R21
	FMOVS (R20)(R21<<2), F17
	ADD  R17, R19, R21
	FMOVS (R20)(R21<<2), F18
	FCVTSD F15, F15
	FCVTSD F16, F16
	FCVTSD F17, F17
	FCVTSD F18, F18
	FMULD F14, F15, F15
	FMULD F13, F16, F16
	FADDD F16, F15, F15 // a
	FMULD F14, F17, F17
	FMULD F13, F18, F18
	FADDD F18, F17, F17 // b
	WORD $0x5fce99ef // FMUL D15, D15, V14.D[1]: a·(1 − ay)
	WORD $0x5fcd9a31 // FMUL D17, D17, V13.D[1]: b·ay
	FADDD F17, F15, F15
	FMOVD $0.25, F16
	FMULD F16, F15, F22 // bg
	FMOVD Detector_noisePixel(R1), F23
	SCVTFD R24, F24
	FSUBD F22, F24, F25 // excess
	FCMPD $(0.0), F25
	BLE  notAbove

	// boxPreTest reads the hot pixels of rows py−1 … py+1: the kernel
	// leaves a seed next to one to the portable chain.
	MOVD Detector_hotCount(R1), R12
	CBZ  R12, noHot
	MOVD Detector_hotRowMark(R1), R13
	MOVWU Detector_frameGen(R1), R14
	SUB  $1, R23, R15
	MOVWU (R13)(R15<<2), R16
	CMP  R14, R16
	BEQ  portable
	MOVWU (R13)(R23<<2), R16
	CMP  R14, R16
	BEQ  portable
	ADD  $1, R23, R15
	MOVWU (R13)(R15<<2), R16
	CMP  R14, R16
	BEQ  portable

noHot:
	// The 7×7 square around the seed, 8 bytes a row: rows 0 and 6 in V0,
	// 1|2 in V8, 3|4 in V9, 5 in V10 (an 8-byte load clears the upper
	// half).
	SUB  $3, R23, R13
	SUB  $3, R25, R14
	MADD R4, R14, R13, R12
	ADD  R2, R12
	WORD $0x0cc47180 // LD1 {V0.8B}, [X12], X4
	WORD $0x0cc47188 // LD1 {V8.8B}, [X12], X4
	WORD $0x4dc48588 // LD1 {V8.D}[1], [X12], X4
	WORD $0x0cc47189 // LD1 {V9.8B}, [X12], X4
	WORD $0x4dc48589 // LD1 {V9.D}[1], [X12], X4
	WORD $0x0cc4718a // LD1 {V10.8B}, [X12], X4
	WORD $0x4d408580 // LD1 {V0.D}[1], [X12]
	VLD1 (R9), [V26.B16, V27.B16, V28.B16, V29.B16]
	// boxPreTest: the 3×3 sum, columns 2-4 of rows 2 (V8's upper half),
	// 3 and 4 (V9), an integer below 2^12.
	WORD $0x6e290107 // UADDL2 V7.8H, V8.16B, V9.16B
	WORD $0x2e2910e7 // UADDW V7.8H, V7.8H, V9.8B
	WORD $0x4e3d1ce7 // AND V7.16B, V7.16B, V29.16B
	WORD $0x4e71b8e7 // ADDV H7, V7.8H: clears the rest of V7
	WORD $0x7e61d8e7 // UCVTF D7, D7: q
	// (q − float64(9·bg)) / (3·noise) < 0.7·Sigma
	FMOVD $9.0, F1
	FMULD F1, F22, F2
	FSUBD F2, F7, F2
	FMOVD $3.0, F3
	FMULD F3, F23, F4
	FDIVD F4, F2, F2
	FMOVD (Detector_opts+Options_Sigma)(R1), F5
	FMOVD $0.7, F6
	FMULD F6, F5, F5
	FCMPD F5, F2
	BMI  weakBox

	// localSky: only when excess < 20·noise (the ring is inside).
	FMOVD $20.0, F1
	FMULD F1, F23, F1
	FCMPD F1, F25
	BPL  pass
	// ringStats' first pass: the ring's sum, sum of squares and largest
	// pixel, over the 14 bytes of V0 (rows 0 and 6) and the 10 that TBL
	// gathers into V11 (the masked bytes are 0 and add nothing).
	WORD $0x4e3a1c00 // AND V0.16B, V0.16B, V26.16B
	WORD $0x4e1b410b // TBL V11.16B, {V8.16B, V9.16B, V10.16B}, V27.16B
	WORD $0x2e2b000c // UADDL V12.8H, V0.8B, V11.8B
	WORD $0x6e2b000d // UADDL2 V13.8H, V0.16B, V11.16B
	WORD $0x4e6d858c // ADD V12.8H, V12.8H, V13.8H
	WORD $0x4e71b98c // ADDV H12, V12.8H: s, below 2^13
	WORD $0x2e20c00d // UMULL V13.8H, V0.8B, V0.8B
	WORD $0x6e20c00e // UMULL2 V14.8H, V0.16B, V0.16B
	WORD $0x2e2bc16f // UMULL V15.8H, V11.8B, V11.8B
	WORD $0x6e2bc170 // UMULL2 V16.8H, V11.16B, V11.16B
	WORD $0x6e6029ad // UADDLP V13.4S, V13.8H
	WORD $0x6e6069cd // UADALP V13.4S, V14.8H
	WORD $0x6e6069ed // UADALP V13.4S, V15.8H
	WORD $0x6e606a0d // UADALP V13.4S, V16.8H
	WORD $0x4eb1b9ad // ADDV S13, V13.4S: s2, below 2^21
	WORD $0x6e2b640e // UMAX V14.16B, V0.16B, V11.16B
	WORD $0x6e30a9ce // UMAXV B14, V14.16B: hi
	WORD $0x7e61d98c // UCVTF D12, D12
	WORD $0x7e61d9ad // UCVTF D13, D13
	WORD $0x7e61d9ce // UCVTF D14, D14
	FMOVD $24.0, F1
	FDIVD F1, F12, F15 // mean = s/24
	FDIVD F1, F13, F16
	FMULD F15, F15, F17
	FSUBD F17, F16, F16
	FMAXD F31, F16, F16
	FSQRTD F16, F16 // sd = sqrt(max(s2/24 − float64(mean·mean), 0))
	FMOVD $2.5, F1
	FMULD F1, F16, F17
	FADDD F15, F17, F17
	FRINTMD F17, F17 // l = floor(mean + float64(2.5·sd)), exact
	// hi ≤ l, compared as floats: both are integers below 2^53.
	FCMPD F17, F14
	BLS  decide
	// The second pass, clipped at l: 0 ≤ l < hi ≤ 255, a byte.
	WORD $0x5ee1ba31 // FCVTZS D17, D17
	WORD $0x4e010631 // DUP V17.16B, V17.B[0]
	WORD $0x6e203e32 // CMHS V18.16B, V17.16B, V0.16B: x ≤ l
	WORD $0x6e2b3e33 // CMHS V19.16B, V17.16B, V11.16B
	WORD $0x4e3a1e52 // AND V18.16B, V18.16B, V26.16B: of the ring's bytes
	WORD $0x4e3c1e73 // AND V19.16B, V19.16B, V28.16B
	WORD $0x4e321c00 // AND V0.16B, V0.16B, V18.16B
	WORD $0x4e331d6b // AND V11.16B, V11.16B, V19.16B
	WORD $0x6e3287f4 // SUB V20.16B, V31.16B, V18.16B: the masks are −1
	WORD $0x6e338694 // SUB V20.16B, V20.16B, V19.16B
	WORD $0x4e31ba94 // ADDV B20, V20.16B: k
	WORD $0x2e2b000c // UADDL V12.8H, V0.8B, V11.8B
	WORD $0x6e2b000d // UADDL2 V13.8H, V0.16B, V11.16B
	WORD $0x4e6d858c // ADD V12.8H, V12.8H, V13.8H
	WORD $0x4e71b98c // ADDV H12, V12.8H
	WORD $0x2e20c00d // UMULL V13.8H, V0.8B, V0.8B
	WORD $0x6e20c00e // UMULL2 V14.8H, V0.16B, V0.16B
	WORD $0x2e2bc16f // UMULL V15.8H, V11.8B, V11.8B
	WORD $0x6e2bc170 // UMULL2 V16.8H, V11.16B, V11.16B
	WORD $0x6e6029ad // UADDLP V13.4S, V13.8H
	WORD $0x6e6069cd // UADALP V13.4S, V14.8H
	WORD $0x6e6069ed // UADALP V13.4S, V15.8H
	WORD $0x6e606a0d // UADALP V13.4S, V16.8H
	WORD $0x4eb1b9ad // ADDV S13, V13.4S
	WORD $0x7e61da94 // UCVTF D20, D20
	FMOVD $4.0, F1
	FCMPD F1, F20
	BMI  decide // k < 4: keep the first pass's
	WORD $0x7e61d98c // UCVTF D12, D12
	WORD $0x7e61d9ad // UCVTF D13, D13
	FDIVD F20, F12, F15 // mean = s/k
	FDIVD F20, F13, F16
	FMULD F15, F15, F17
	FSUBD F17, F16, F16
	FMAXD F31, F16, F16
	FSQRTD F16, F16

decide:
	// The ring mean F15 replaces bg when ringMean − bg > 3·noise/√24, the
	// ring's noise F16 the noise when above 1.5·noise.
	FMOVD $4.898979485566356, F1 // math.Sqrt(24)
	FDIVD F1, F4, F2
	FSUBD F22, F15, F3
	FCMPD F2, F3
	FCSELD GT, F15, F22, F22
	FMOVD $1.5, F1
	FMULD F1, F23, F2
	FMOVD F23, F20 // the noise before
	FCMPD F2, F16
	FCSELD GT, F16, F23, F23
	FSUBD F22, F24, F25 // excess = value − bg
	FCMPD $(0.0), F25
	BLE  skyBelow
	// boxPreTest again when the noise changed, with the new bg and noise.
	FCMPD F20, F23
	BEQ  pass
	FMOVD $9.0, F1
	FMULD F1, F22, F2
	FSUBD F2, F7, F2
	FMOVD $3.0, F3
	FMULD F3, F23, F4
	FDIVD F4, F2, F2
	FCMPD F5, F2
	BMI  weakBox2

pass:
	MOVD $const_seedPass, R12

store:
	ADD  $const_seedFrameSeed, R0, R13
	MOVD R25, seed_x(R13)
	MOVD R23, seed_y(R13)
	MOVD R24, seed_value(R13)
	FMOVD F22, seed_bg(R13)
	FMOVD F23, seed_noise(R13)
	FMOVD F25, seed_excess(R13)
	MOVD R12, stage+24(FP)
	RET

notAbove:
	MOVD $const_seedNotAbove, R12
	B    store

weakBox:
	MOVD $const_seedWeakBox, R12
	B    store

skyBelow:
	MOVD $const_seedSkyBelow, R12
	B    store

weakBox2:
	MOVD $const_seedWeakBox2, R12
	B    store

claimed:
	MOVD $const_seedClaimed, R12
	MOVD R12, stage+24(FP)
	RET

portable:
	MOVD $const_seedPortable, R12
	MOVD R12, stage+24(FP)
	RET
