//go:build amd64 && !purego

#include "textflag.h"

// func pairRowsAVX2(r0, r1 *uint8, out, acc *uint64, n int)
//
// For n chunks of 32 bytes: out = the 2×2 sums of the byte pairs of r0 and
// r1 as 16-bit lanes (the packed words of pairRows); acc += out.
TEXT ·pairRowsAVX2(SB), NOSPLIT, $0-40
	MOVQ r0+0(FP), AX
	MOVQ r1+8(FP), BX
	MOVQ out+16(FP), CX
	MOVQ acc+24(FP), DX
	MOVQ n+32(FP), SI
	TESTQ SI, SI
	JLE  pairDone
	MOVL $0x01010101, R8
	VMOVD R8, X15
	VPBROADCASTD X15, Y15

pairLoop:
	VMOVDQU (AX), Y0
	VMOVDQU (BX), Y1
	// Unsigned pixels times signed ones, adjacent products summed: the
	// horizontal pair sums, at most 510.
	VPMADDUBSW Y15, Y0, Y0
	VPMADDUBSW Y15, Y1, Y1
	VPADDW  Y1, Y0, Y0
	VMOVDQU Y0, (CX)
	VPADDW  (DX), Y0, Y1
	VMOVDQU Y1, (DX)
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, CX
	ADDQ $32, DX
	DECQ SI
	JNZ  pairLoop
	VZEROUPPER

pairDone:
	RET

// func candMaskAVX2(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int) (nz uint64)
//
// For n groups of 16 boxes (four words) of a row of the candidate image
// with its rows above and below: out gets, per group, bit 2k set when box
// k is above its threshold (t holds 0x7FFF − t), a local maximum (strictly above the left
// and upper neighbours, at least the right and lower ones) and passes the
// integer pre-test of stage 2: v ≥ ka, or v + max(l, r, u, d) ≥ kb, or
// v + max(l, r) + max(u, d) + (the diagonal next to them) ≥ kc, where
// ka = t + k[0] − k[1], kb = 2t + k[2] − k[3], kc = 4t + k[4] − k[5]; k[6]
// holds 0x7FFF.
// Sums saturate, which only lets more boxes through. Box values are at
// most 0x7FFF, so signed 16-bit compares order them. Each row is read from
// 2 bytes before to 2 bytes after its groups. Returns bit g set for each
// group g with a candidate (n ≤ 64).
TEXT ·candMaskAVX2(SB), NOSPLIT, $0-64
	MOVQ up+0(FP), AX
	MOVQ row+8(FP), BX
	MOVQ dn+16(FP), CX
	MOVQ t+24(FP), DX
	MOVQ k+32(FP), SI
	MOVQ out+40(FP), R9
	MOVQ n+48(FP), R10
	XORQ DI, DI // groups with candidates
	XORQ R8, R8 // group index
	TESTQ R10, R10
	JLE  candDone

candLoop:
	VMOVDQU (BX), Y0         // v
	VPADDW  (DX), Y0, Y3     // v > t: v + (0x7FFF − t) sets the top bit
	VPSRAW  $15, Y3, Y4
	VPTEST  Y4, Y4
	JZ      candNone
	VMOVDQU -2(BX), Y1       // l
	VMOVDQU 2(BX), Y2        // r
	VPCMPGTW Y1, Y0, Y5      // v > l
	VPAND   Y5, Y4, Y4
	VPCMPGTW Y0, Y2, Y5      // r > v
	VPANDN  Y4, Y5, Y4
	VMOVDQU -2(AX), Y6       // ul
	VMOVDQU (AX), Y7         // u
	VMOVDQU 2(AX), Y8        // ur
	VPCMPGTW Y6, Y0, Y5
	VPAND   Y5, Y4, Y4
	VPCMPGTW Y7, Y0, Y5
	VPAND   Y5, Y4, Y4
	VPCMPGTW Y8, Y0, Y5
	VPAND   Y5, Y4, Y4
	VMOVDQU -2(CX), Y9       // dl
	VMOVDQU (CX), Y10        // d
	VMOVDQU 2(CX), Y11       // dr
	VPCMPGTW Y0, Y9, Y5
	VPANDN  Y4, Y5, Y4
	VPCMPGTW Y0, Y10, Y5
	VPANDN  Y4, Y5, Y4
	VPCMPGTW Y0, Y11, Y5
	VPANDN  Y4, Y5, Y4
	VPTEST  Y4, Y4
	JZ      candNone

	VPMAXSW Y1, Y2, Y12      // h = max(l, r)
	VPMAXSW Y7, Y10, Y13     // vv = max(u, d)
	VPCMPGTW Y2, Y1, Y14     // l > r
	VPCMPGTW Y10, Y7, Y15    // u > d
	VPBLENDVB Y14, Y6, Y8, Y3   // l > r ? ul : ur
	VPBLENDVB Y14, Y9, Y11, Y5  // l > r ? dl : dr
	VPBLENDVB Y15, Y3, Y5, Y3   // u > d ? upper : lower diagonal

	VMOVDQU 192(SI), Y1      // t
	VPSUBW  (DX), Y1, Y1
	VPADDUSW (SI), Y1, Y5    // v ≥ ka
	VPSUBUSW 32(SI), Y5, Y5
	VPMAXUW Y5, Y0, Y6
	VPCMPEQW Y6, Y0, Y6
	VPADDUSW Y1, Y1, Y1      // 2t
	VPADDUSW 64(SI), Y1, Y2  // kb
	VPSUBUSW 96(SI), Y2, Y2
	VPMAXSW Y12, Y13, Y5     // v + max(h, vv) ≥ kb
	VPADDUSW Y5, Y0, Y5
	VPMAXUW Y2, Y5, Y2
	VPCMPEQW Y2, Y5, Y2
	VPOR    Y2, Y6, Y6
	VPADDUSW Y1, Y1, Y1      // 4t
	VPADDUSW 128(SI), Y1, Y1 // kc
	VPSUBUSW 160(SI), Y1, Y1
	VPADDUSW Y12, Y0, Y5     // v + h + vv + g ≥ kc
	VPADDUSW Y13, Y5, Y5
	VPADDUSW Y3, Y5, Y5
	VPMAXUW Y1, Y5, Y2
	VPCMPEQW Y2, Y5, Y2
	VPOR    Y2, Y6, Y6
	VPAND   Y6, Y4, Y4
	VPMOVMSKB Y4, R11
	ANDL    $0x55555555, R11
	MOVL    R11, (R9)
	JZ      candNext
	BTSQ    R8, DI
	JMP     candNext

candNone:
	MOVL $0, (R9)

candNext:
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, CX
	ADDQ $32, DX
	ADDQ $4, R9
	INCQ R8
	DECQ R10
	JNZ  candLoop
	VZEROUPPER

candDone:
	MOVQ DI, nz+56(FP)
	RET

// func lineInnerAVX2(c *uint8, idx *[12][48]int32, l int32, sums *[48]int32) uint64
//
// sums[j] = Σ over the 12 rows r of idx of the byte at c + idx[r][j]: the
// side sums of lineInner, 8 sides per gather (each gather loads 4 bytes
// at each offset; the low one is kept). Returns the sides s = 2k+side
// with 2·sums[s] − (sums[2q] + sums[2q+1]) > l, q = (k+12) mod 24, as
// bits.
TEXT ·lineInnerAVX2(SB), NOSPLIT, $0-40
	MOVQ c+0(FP), SI
	MOVQ idx+8(FP), DI
	MOVQ sums+24(FP), DX
	MOVL $0xFF, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y4, Y4, Y4
	VPXOR Y5, Y5, Y5
	MOVQ $12, CX

innerLoop:
	VMOVDQU 0(DI), Y6
	VPCMPEQD Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPGATHERDD Y7, (SI)(Y6*1), Y8
	VMOVDQU 32(DI), Y9
	VPCMPEQD Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPGATHERDD Y10, (SI)(Y9*1), Y11
	VMOVDQU 64(DI), Y12
	VPCMPEQD Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPGATHERDD Y13, (SI)(Y12*1), Y14
	VPAND Y15, Y8, Y8
	VPADDD Y8, Y0, Y0
	VPAND Y15, Y11, Y11
	VPADDD Y11, Y1, Y1
	VPAND Y15, Y14, Y14
	VPADDD Y14, Y2, Y2

	VMOVDQU 96(DI), Y6
	VPCMPEQD Y7, Y7, Y7
	VPXOR Y8, Y8, Y8
	VPGATHERDD Y7, (SI)(Y6*1), Y8
	VMOVDQU 128(DI), Y9
	VPCMPEQD Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPGATHERDD Y10, (SI)(Y9*1), Y11
	VMOVDQU 160(DI), Y12
	VPCMPEQD Y13, Y13, Y13
	VPXOR Y14, Y14, Y14
	VPGATHERDD Y13, (SI)(Y12*1), Y14
	VPAND Y15, Y8, Y8
	VPADDD Y8, Y3, Y3
	VPAND Y15, Y11, Y11
	VPADDD Y11, Y4, Y4
	VPAND Y15, Y14, Y14
	VPADDD Y14, Y5, Y5

	ADDQ $192, DI
	DECQ CX
	JNZ  innerLoop

	VMOVDQU Y0, 0(DX)
	VMOVDQU Y1, 32(DX)
	VMOVDQU Y2, 64(DX)
	VMOVDQU Y3, 96(DX)
	VMOVDQU Y4, 128(DX)
	VMOVDQU Y5, 160(DX)

	// References: each pair's total in both of its lanes. Directions
	// k and k+12 are three registers apart.
	VPSHUFD $0xB1, Y0, Y6
	VPADDD  Y0, Y6, Y6
	VPSHUFD $0xB1, Y1, Y7
	VPADDD  Y1, Y7, Y7
	VPSHUFD $0xB1, Y2, Y8
	VPADDD  Y2, Y8, Y8
	VPSHUFD $0xB1, Y3, Y9
	VPADDD  Y3, Y9, Y9
	VPSHUFD $0xB1, Y4, Y10
	VPADDD  Y4, Y10, Y10
	VPSHUFD $0xB1, Y5, Y11
	VPADDD  Y5, Y11, Y11
	MOVL l+16(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15

	XORQ AX, AX
	VPADDD  Y0, Y0, Y0
	VPSUBD  Y9, Y0, Y0
	VPCMPGTD Y15, Y0, Y0
	VMOVMSKPS Y0, BX
	ORQ BX, AX
	VPADDD  Y1, Y1, Y1
	VPSUBD  Y10, Y1, Y1
	VPCMPGTD Y15, Y1, Y1
	VMOVMSKPS Y1, BX
	SHLQ $8, BX
	ORQ BX, AX
	VPADDD  Y2, Y2, Y2
	VPSUBD  Y11, Y2, Y2
	VPCMPGTD Y15, Y2, Y2
	VMOVMSKPS Y2, BX
	SHLQ $16, BX
	ORQ BX, AX
	VPADDD  Y3, Y3, Y3
	VPSUBD  Y6, Y3, Y3
	VPCMPGTD Y15, Y3, Y3
	VMOVMSKPS Y3, BX
	SHLQ $24, BX
	ORQ BX, AX
	VPADDD  Y4, Y4, Y4
	VPSUBD  Y7, Y4, Y4
	VPCMPGTD Y15, Y4, Y4
	VMOVMSKPS Y4, BX
	SHLQ $32, BX
	ORQ BX, AX
	VPADDD  Y5, Y5, Y5
	VPSUBD  Y8, Y5, Y5
	VPCMPGTD Y15, Y5, Y5
	VMOVMSKPS Y5, BX
	SHLQ $40, BX
	ORQ BX, AX
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET

// func lineEdgeAVX2(c *uint8, idx, dx, dy *[12][48]int32, px, py, w, h int, sums, cnt *[48]int32, sh uint64)
//
// lineThrough's side sums near the frame edge: along each side, samples
// (two pixels at offsets idx[2i], idx[2i+1] from c, at dx, dy from
// (px, py)) are taken while both pixels of every sample so far lie in the
// w×h frame. cnt gets the number of samples; pixels outside are never
// read. Each pixel is taken from a 4-byte load at its offset from c,
// shifted right by sh bits: sh = 24 with c three bytes before the centre
// loads the bytes before each pixel instead of those after.
TEXT ·lineEdgeAVX2(SB), NOSPLIT, $0-88
	MOVQ c+0(FP), SI
	MOVQ idx+8(FP), DI
	MOVQ dx+16(FP), R8
	MOVQ dy+24(FP), R9
	MOVQ sums+64(FP), DX
	MOVQ cnt+72(FP), R10
	MOVL $0xFF, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $0x80000000, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVQ px+32(FP), AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVQ py+40(FP), AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVQ w+48(FP), AX
	XORL $0x80000000, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11
	MOVQ h+56(FP), AX
	XORL $0x80000000, AX
	VMOVD AX, X10
	VPBROADCASTD X10, Y10
	MOVQ sh+80(FP), R12
	MOVQ $6, CX

edgeGroup:
	VPCMPEQD Y0, Y0, Y0 // alive
	VPXOR Y1, Y1, Y1    // sums
	VPXOR Y2, Y2, Y2    // counts
	XORQ BX, BX         // byte offset of row 2i
	MOVQ $6, R11

edgeRadius:
	// Both pixels of sample i in the frame: (x ^ sign) < (w ^ sign) as
	// signed is x < w as unsigned, which also rejects x < 0.
	VPADDD (R8)(BX*1), Y13, Y3
	VPXOR Y14, Y3, Y3
	VPCMPGTD Y3, Y11, Y3
	VPAND Y3, Y0, Y0
	VPADDD (R9)(BX*1), Y12, Y3
	VPXOR Y14, Y3, Y3
	VPCMPGTD Y3, Y10, Y3
	VPAND Y3, Y0, Y0
	VPADDD 192(R8)(BX*1), Y13, Y3
	VPXOR Y14, Y3, Y3
	VPCMPGTD Y3, Y11, Y3
	VPAND Y3, Y0, Y0
	VPADDD 192(R9)(BX*1), Y12, Y3
	VPXOR Y14, Y3, Y3
	VPCMPGTD Y3, Y10, Y3
	VPAND Y3, Y0, Y0

	VMOVDQU (DI)(BX*1), Y4
	VMOVDQA Y0, Y5
	VPXOR Y6, Y6, Y6
	VPGATHERDD Y5, (SI)(Y4*1), Y6
	VMOVDQU 192(DI)(BX*1), Y7
	VMOVDQA Y0, Y8
	VPXOR Y9, Y9, Y9
	VPGATHERDD Y8, (SI)(Y7*1), Y9
	VMOVQ R12, X5
	VPSRLD X5, Y6, Y6
	VPSRLD X5, Y9, Y9
	VPAND Y15, Y6, Y6
	VPADDD Y6, Y1, Y1
	VPAND Y15, Y9, Y9
	VPADDD Y9, Y1, Y1
	VPSUBD Y0, Y2, Y2

	ADDQ $384, BX
	DECQ R11
	JNZ  edgeRadius

	VMOVDQU Y1, (DX)
	VMOVDQU Y2, (R10)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DX
	ADDQ $32, R10
	DECQ CX
	JNZ  edgeGroup
	VZEROUPPER
	RET

// func winLoadAVX2(src *uint8, stride int, b float64, win *[56]float64) (ssPos, ssAll float64)
//
// win[8j+k] = src[j·stride+k] − b for j, k < 7 and 0 in column 7; returns
// Σ max(v, 0)² and Σ v² over the window. Reads 8 bytes per row.
TEXT ·winLoadAVX2(SB), NOSPLIT, $0-48
	MOVQ src+0(FP), SI
	MOVQ stride+8(FP), BX
	VBROADCASTSD b+16(FP), Y15
	MOVQ win+24(FP), DI
	// Y14: ones in lanes 0-2, zero in lane 3 (column 7).
	VPCMPEQQ Y14, Y14, Y14
	VPXOR X13, X13, X13
	VPBLENDD $0xC0, Y13, Y14, Y14
	VXORPD Y12, Y12, Y12 // Σ v²
	VXORPD Y11, Y11, Y11 // Σ max(v,0)²
	VXORPD Y10, Y10, Y10 // zero
	MOVQ $7, CX

winRow:
	VPMOVZXBD (SI), Y0
	VCVTDQ2PD X0, Y1
	VEXTRACTI128 $1, Y0, X2
	VCVTDQ2PD X2, Y2
	VSUBPD Y15, Y1, Y1
	VSUBPD Y15, Y2, Y2
	VANDPD Y14, Y2, Y2
	VMOVUPD Y1, 0(DI)
	VMOVUPD Y2, 32(DI)
	VMULPD Y1, Y1, Y3
	VADDPD Y3, Y12, Y12
	VMULPD Y2, Y2, Y3
	VADDPD Y3, Y12, Y12
	VMAXPD Y10, Y1, Y1
	VMAXPD Y10, Y2, Y2
	VMULPD Y1, Y1, Y3
	VADDPD Y3, Y11, Y11
	VMULPD Y2, Y2, Y3
	VADDPD Y3, Y11, Y11
	ADDQ BX, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  winRow

	VEXTRACTF128 $1, Y11, X0
	VADDPD X0, X11, X0
	VHADDPD X0, X0, X0
	VMOVSD X0, ssPos+32(FP)
	VEXTRACTF128 $1, Y12, X0
	VADDPD X0, X12, X0
	VHADDPD X0, X0, X0
	VMOVSD X0, ssAll+40(FP)
	VZEROUPPER
	RET

// func blockLimitsAVX2(r0, r1 *float64, ay1, ay, lt float64, bg *float32, thr *uint64, n int)
//
// blockLimits for n (a multiple of 4) blocks: bg[i] = float32(r0[i]·ay1 +
// r1[i]·ay), t = clamp(int(float64(bg[i]) + lt), 0, 0x7FFE) and thr[i] =
// (0x7FFF − t) in all four 16-bit lanes. int() truncates, as
// VCVTTPD2DQ does; the caller keeps bg + lt below 2^31.
TEXT ·blockLimitsAVX2(SB), NOSPLIT, $0-64
	MOVQ r0+0(FP), SI
	MOVQ r1+8(FP), DI
	VBROADCASTSD ay1+16(FP), Y15
	VBROADCASTSD ay+24(FP), Y14
	VBROADCASTSD lt+32(FP), Y13
	MOVQ bg+40(FP), DX
	MOVQ thr+48(FP), R8
	MOVQ n+56(FP), CX
	SHRQ $2, CX
	JZ   limDone
	VPXOR X12, X12, X12 // 0
	MOVL $0x7FFE, AX
	VMOVD AX, X11
	VPBROADCASTD X11, X11
	MOVL $0x7FFF, AX
	VMOVD AX, X10
	VPBROADCASTD X10, X10
	// Byte shuffle that copies each qword's low 16 bits to its 4 lanes.
	MOVQ $0x0100010001000100, AX
	VMOVQ AX, X9
	MOVQ $0x0908090809080908, AX
	VPINSRQ $1, AX, X9, X9
	VINSERTI128 $1, X9, Y9, Y9

limLoop:
	VMULPD (SI), Y15, Y0
	VMULPD (DI), Y14, Y1
	VADDPD Y1, Y0, Y0
	VCVTPD2PSY Y0, X2
	VMOVUPS X2, (DX)
	VCVTPS2PD X2, Y3
	VADDPD Y13, Y3, Y3
	VCVTTPD2DQY Y3, X4
	VPMAXSD X12, X4, X4
	VPMINSD X11, X4, X4
	VPSUBD X4, X10, X4
	VPMOVZXDQ X4, Y5
	VPSHUFB Y9, Y5, Y5
	VMOVDQU Y5, (R8)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $16, DX
	ADDQ $32, R8
	DECQ CX
	JNZ  limLoop
	VZEROUPPER

limDone:
	RET

// func tileStatsAVX2(sb *uint32, sbw int, sum, lo, hi *uint32, n int)
//
// For n pairs of 4×4-block tiles side by side (8 columns of 4 rows of sb,
// row stride sbw): sum, lo and hi of each tile's 16 block sums.
TEXT ·tileStatsAVX2(SB), NOSPLIT, $0-48
	MOVQ sb+0(FP), SI
	MOVQ sbw+8(FP), BX
	SHLQ $2, BX
	MOVQ sum+16(FP), DX
	MOVQ lo+24(FP), R8
	MOVQ hi+32(FP), R9
	MOVQ n+40(FP), CX
	TESTQ CX, CX
	JLE  tsDone
	LEAQ (BX)(BX*2), R10 // 3 rows

tsLoop:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(BX*1), Y1
	VMOVDQU (SI)(BX*2), Y2
	VMOVDQU (SI)(R10*1), Y3
	VPADDD Y1, Y0, Y4
	VPADDD Y3, Y2, Y5
	VPADDD Y5, Y4, Y4 // column sums
	VPMINUD Y1, Y0, Y5
	VPMINUD Y3, Y2, Y6
	VPMINUD Y6, Y5, Y5 // column minima
	VPMAXUD Y1, Y0, Y6
	VPMAXUD Y3, Y2, Y7
	VPMAXUD Y7, Y6, Y6 // column maxima
	// Within each 128-bit half (one tile): fold qwords, then dwords.
	VPSHUFD $0x4E, Y4, Y7
	VPADDD Y7, Y4, Y4
	VPSHUFD $0xB1, Y4, Y7
	VPADDD Y7, Y4, Y4
	VPSHUFD $0x4E, Y5, Y7
	VPMINUD Y7, Y5, Y5
	VPSHUFD $0xB1, Y5, Y7
	VPMINUD Y7, Y5, Y5
	VPSHUFD $0x4E, Y6, Y7
	VPMAXUD Y7, Y6, Y6
	VPSHUFD $0xB1, Y6, Y7
	VPMAXUD Y7, Y6, Y6
	VMOVD X4, AX
	MOVL AX, (DX)
	VEXTRACTI128 $1, Y4, X7
	VMOVD X7, AX
	MOVL AX, 4(DX)
	VMOVD X5, AX
	MOVL AX, (R8)
	VEXTRACTI128 $1, Y5, X7
	VMOVD X7, AX
	MOVL AX, 4(R8)
	VMOVD X6, AX
	MOVL AX, (R9)
	VEXTRACTI128 $1, Y6, X7
	VMOVD X7, AX
	MOVL AX, 4(R9)
	ADDQ $32, SI
	ADDQ $8, DX
	ADDQ $8, R8
	ADDQ $8, R9
	DECQ CX
	JNZ  tsLoop
	VZEROUPPER

tsDone:
	RET

// func bin8AVX2(pix *uint8, stride int, words *uint64, ww int, sb *uint32, sbw, groups, blockRows int)
//
// bin8 for blockRows·4 rows of boxes and the first groups·4 words of each:
// words[cy·ww + i] gets the four 2×2 sums of pixels 8i … 8i+7 of rows
// 2cy, 2cy+1 as 16-bit lanes, and sb[by·sbw + i] the sum of the 16 lanes
// of words i of box rows 4by … 4by+3.
TEXT ·bin8AVX2(SB), NOSPLIT, $0-64
	MOVQ pix+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVQ words+16(FP), DI
	MOVQ ww+24(FP), R8
	SHLQ $3, R8 // bytes per word row
	MOVQ sb+32(FP), DX
	MOVQ sbw+40(FP), R9
	SHLQ $2, R9 // bytes per block row
	MOVQ groups+48(FP), R10
	SHLQ $5, R10 // bytes of words per row done here
	MOVQ blockRows+56(FP), R11
	TESTQ R10, R10
	JLE  binDone
	TESTQ R11, R11
	JLE  binDone
	MOVL $0x01010101, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15 // byte ones
	MOVL $0x00010001, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14 // word ones

binBlockRow:
	MOVQ $4, R12

binRow:
	LEAQ (SI)(BX*1), CX
	XORQ R13, R13

binGroup:
	VMOVDQU (SI)(R13*1), Y0
	VMOVDQU (CX)(R13*1), Y1
	VPMADDUBSW Y15, Y0, Y0
	VPMADDUBSW Y15, Y1, Y1
	VPADDW  Y1, Y0, Y0
	VMOVDQU Y0, (DI)(R13*1)
	ADDQ $32, R13
	CMPQ R13, R10
	JNE  binGroup

	LEAQ (SI)(BX*2), SI
	ADDQ R8, DI
	DECQ R12
	JNZ  binRow

	// Block sums of the four word rows just written.
	MOVQ R8, AX
	SHLQ $2, AX
	NEGQ AX
	ADDQ DI, AX // first of the four word rows
	MOVQ DX, CX
	LEAQ (AX)(R10*1), R12 // end of its words
	LEAQ (R8)(R8*2), R13  // 3 word rows

binBlock:
	VMOVDQU (AX), Y0
	VPADDW  (AX)(R8*1), Y0, Y0
	VPADDW  (AX)(R8*2), Y0, Y0
	VPADDW  (AX)(R13*1), Y0, Y0
	VPMADDWD Y14, Y0, Y0  // lane pairs: 8 dwords
	VPHADDD  Y0, Y0, Y0   // word sums in dwords 0, 1 of each half
	VPERMQ   $0x08, Y0, Y0
	VMOVDQU  X0, (CX)
	ADDQ $32, AX
	ADDQ $16, CX
	CMPQ AX, R12
	JNE  binBlock

	ADDQ R9, DX
	DECQ R11
	JNZ  binBlockRow
	VZEROUPPER

binDone:
	RET

// func boxSumAVX2(p *uint8, stride, rows int, mask *byte) int
//
// The sum of the bytes of rows rows of 32 bytes from p, each ANDed with
// the 32 bytes at mask (0xFF for the bytes to count).
TEXT ·boxSumAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVQ rows+16(FP), CX
	MOVQ mask+24(FP), DX
	VMOVDQU (DX), Y15
	VPXOR Y14, Y14, Y14
	VPXOR Y0, Y0, Y0
	TESTQ CX, CX
	JLE  boxDone

boxRow:
	VPAND (SI), Y15, Y1
	VPSADBW Y14, Y1, Y1
	VPADDQ Y1, Y0, Y0
	ADDQ BX, SI
	DECQ CX
	JNZ  boxRow

boxDone:
	VEXTRACTI128 $1, Y0, X1
	VPADDQ X1, X0, X0
	VPSHUFD $0x4E, X0, X1
	VPADDQ X1, X0, X0
	VMOVQ X0, AX
	VZEROUPPER
	MOVQ AX, ret+32(FP)
	RET

// func noiseDiffsAVX2(row *uint64, chunks, step int, satBox int, out *uint16)
//
// For 16·chunks box pairs (k, k+step) of a row of the candidate image:
// out[k] = min(|box k − box k+step|, 4095), or 0xFFFF when both boxes are
// at least satBox or both are 0 (the pairs noiseHist skips).
TEXT ·noiseDiffsAVX2(SB), NOSPLIT, $0-40
	MOVQ row+0(FP), SI
	MOVQ chunks+8(FP), CX
	MOVQ step+16(FP), BX
	SHLQ $1, BX // bytes
	MOVQ satBox+24(FP), AX
	DECQ AX // a ≥ satBox is a > satBox − 1; clamped to the lanes
	CMPQ AX, $0x7FFF
	JLE  diffSatOK
	MOVQ $0x7FFF, AX

diffSatOK:
	VMOVD AX, X15
	VPBROADCASTW X15, Y15
	MOVL $4095, AX
	VMOVD AX, X14
	VPBROADCASTW X14, Y14
	VPXOR Y13, Y13, Y13
	MOVQ out+32(FP), DI
	TESTQ CX, CX
	JLE  diffDone

diffLoop:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(BX*1), Y1
	VPSUBW  Y1, Y0, Y2
	VPABSW  Y2, Y2
	VPMINSW Y14, Y2, Y2
	VPMINSW Y1, Y0, Y3
	VPCMPGTW Y15, Y3, Y3 // both saturated
	VPMAXSW Y1, Y0, Y4
	VPCMPEQW Y13, Y4, Y4 // both black
	VPOR    Y4, Y3, Y3
	VPOR    Y3, Y2, Y2
	VMOVDQU Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  diffLoop
	VZEROUPPER

diffDone:
	RET

// func countLEAVX2(buf *uint16, chunks int, v int) int
//
// The number of the 16·chunks values of buf that are at most v (0 ≤ v <
// 0xFFFF).
TEXT ·countLEAVX2(SB), NOSPLIT, $0-32
	MOVQ buf+0(FP), SI
	MOVQ chunks+8(FP), CX
	MOVQ v+16(FP), AX
	VMOVD AX, X15
	VPBROADCASTW X15, Y15
	XORQ DX, DX
	TESTQ CX, CX
	JLE  cntDone

cntLoop:
	VMOVDQU (SI), Y0
	VPMINUW Y15, Y0, Y1
	VPCMPEQW Y1, Y0, Y1 // x ≤ v
	VPMOVMSKB Y1, AX
	POPCNTL AX, AX
	ADDQ AX, DX
	ADDQ $32, SI
	DECQ CX
	JNZ  cntLoop
	VZEROUPPER

cntDone:
	SHRQ $1, DX // two mask bits per value
	MOVQ DX, ret+24(FP)
	RET

// Constants of tileClipAVX2.
DATA tcConst<>+0(SB)/8, $16.0
DATA tcConst<>+8(SB)/8, $256.0
DATA tcConst<>+16(SB)/8, $0.0625
GLOBL tcConst<>(SB), RODATA|NOPTR, $24

// func tileClipAVX2(sb *uint32, sbw int, sum, lo, hi *uint32, c25, c3 float64, n int, out *float64)
//
// tileMeanStats for n groups of four whole tiles of 4×4 blocks side by
// side (16 columns of 4 rows of sb, row stride sbw), one tile per lane:
// the same operations in the same order, with the fixed-point iteration
// run three times and each lane frozen where the scalar loop would break.
// c25 = 2.5·sig and c3 = 3·sig; out gets the four means of each group.
TEXT ·tileClipAVX2(SB), NOSPLIT, $0-72
	MOVQ sb+0(FP), SI
	MOVQ sbw+8(FP), BX
	SHLQ $2, BX // bytes per row
	MOVQ sum+16(FP), R8
	MOVQ lo+24(FP), R9
	MOVQ hi+32(FP), R10
	VBROADCASTSD c25+40(FP), Y15
	VBROADCASTSD tcConst<>+0(SB), Y13 // 16
	MOVQ n+56(FP), CX
	MOVQ out+64(FP), DI
	TESTQ CX, CX
	JLE  tcDone

tcGroup:
	// m = sum/256; fast = m ≤ lo/16 + 3σ && hi ≤ (m + 2.5σ)·16.
	VBROADCASTSD tcConst<>+8(SB), Y5
	VBROADCASTSD tcConst<>+16(SB), Y6
	VCVTDQ2PD (R8), Y0
	VDIVPD Y5, Y0, Y0                // Y0 = m = sum/256
	VCVTDQ2PD (R9), Y1
	VMULPD Y6, Y1, Y1                // lo/16 (exact)
	VBROADCASTSD c3+48(FP), Y14
	VADDPD Y14, Y1, Y1               // A1 = lo/16 + 3σ
	VCVTDQ2PD (R10), Y2              // hi
	VADDPD Y15, Y0, Y3
	VMULPD Y13, Y3, Y3               // (m + 2.5σ)·16
	VCMPPD $2, Y1, Y0, Y4            // m ≤ A1
	VCMPPD $2, Y3, Y2, Y5            // hi ≤ (m + 2.5σ)·16
	VANDPD Y5, Y4, Y4                // fast
	VPCMPEQQ Y5, Y5, Y5
	VPXOR Y5, Y4, Y4                 // Y4 = active (64-bit lanes)
	VMINPD Y1, Y0, Y5
	VBLENDVPD Y4, Y5, Y0, Y0         // clipped lanes start from min(m, A1)
	// pl = −2, ps = pk = −1 (int32 lanes).
	MOVL $-2, AX
	VMOVD AX, X1
	VPBROADCASTD X1, X1              // pl
	VPCMPEQD X2, X2, X2              // ps
	VPCMPEQD X3, X3, X3              // pk
	MOVQ $3, DX

tcIter:
	VPTEST Y4, Y4
	JZ   tcStore
	// l = int(lim), lim = (m + 2.5σ)·16 ≥ 0 (the caller keeps it < 2^31).
	VADDPD Y15, Y0, Y5
	VMULPD Y13, Y5, Y5
	VCVTTPD2DQY Y5, X5               // X5 = l
	// Limits per column: tiles 0, 1 in Y6; tiles 2, 3 in Y7.
	VPSHUFD $0x00, X5, X6
	VPSHUFD $0x55, X5, X8
	VINSERTI128 $1, X8, Y6, Y6
	VPSHUFD $0xAA, X5, X7
	VPSHUFD $0xFF, X5, X8
	VINSERTI128 $1, X8, Y7, Y7
	// Masked sums and counts over the four rows.
	VPXOR Y8, Y8, Y8   // s, tiles 0-1
	VPXOR Y9, Y9, Y9   // s, tiles 2-3
	VPXOR Y10, Y10, Y10 // −count(x > l), tiles 0-1
	VPXOR Y11, Y11, Y11 // −count(x > l), tiles 2-3
	MOVQ SI, AX
	MOVQ $4, R11

tcRow:
	VMOVDQU (AX), Y12
	VPCMPGTD Y6, Y12, Y14 // x > l
	VPANDN Y12, Y14, Y12  // x where x ≤ l
	VPADDD Y12, Y8, Y8
	VPADDD Y14, Y10, Y10
	VMOVDQU 32(AX), Y12
	VPCMPGTD Y7, Y12, Y14
	VPANDN Y12, Y14, Y12
	VPADDD Y12, Y9, Y9
	VPADDD Y14, Y11, Y11
	ADDQ BX, AX
	DECQ R11
	JNZ  tcRow

	// Fold each 128-bit half (one tile) to its total.
	VPSHUFD $0x4E, Y8, Y12
	VPADDD Y12, Y8, Y8
	VPSHUFD $0xB1, Y8, Y12
	VPADDD Y12, Y8, Y8
	VPSHUFD $0x4E, Y9, Y12
	VPADDD Y12, Y9, Y9
	VPSHUFD $0xB1, Y9, Y12
	VPADDD Y12, Y9, Y9
	VPSHUFD $0x4E, Y10, Y12
	VPADDD Y12, Y10, Y10
	VPSHUFD $0xB1, Y10, Y12
	VPADDD Y12, Y10, Y10
	VPSHUFD $0x4E, Y11, Y12
	VPADDD Y12, Y11, Y11
	VPSHUFD $0xB1, Y11, Y12
	VPADDD Y12, Y11, Y11
	// s = [s0 s1 s2 s3] in X8, counts of x > l in X10.
	VEXTRACTI128 $1, Y8, X12
	VPBLENDD $0x2, X12, X8, X8
	VEXTRACTI128 $1, Y9, X12
	VPBLENDD $0x2, X12, X9, X9
	VPUNPCKLQDQ X9, X8, X8
	VEXTRACTI128 $1, Y10, X12
	VPBLENDD $0x2, X12, X10, X10
	VEXTRACTI128 $1, Y11, X12
	VPBLENDD $0x2, X12, X11, X11
	VPUNPCKLQDQ X11, X10, X10
	MOVL $16, AX
	VMOVD AX, X12
	VPBROADCASTD X12, X12
	VPADDD X10, X12, X10             // X10 = k = 16 − count(x > l)

	// upd = active, l ≠ pl, and (s, k) ≠ (ps, pk).
	VPCMPEQD X1, X5, X11             // l == pl
	VPCMPEQD X2, X8, X12             // s == ps
	VPCMPEQD X3, X10, X9             // k == pk
	VPAND X9, X12, X12
	VPOR X12, X11, X11               // converged
	VPMOVSXDQ X11, Y11
	VPANDN Y4, Y11, Y4               // active &^ converged
	VMOVDQA X5, X1                   // pl = l
	VMOVDQA X8, X2                   // ps = s
	VMOVDQA X10, X3                  // pk = k
	// m = s/(16k) where updated and k > 0.
	VPXOR X12, X12, X12
	VPCMPGTD X12, X10, X12           // k > 0
	VPMOVSXDQ X12, Y12
	VANDPD Y4, Y12, Y12
	VCVTDQ2PD X8, Y9
	VPSLLD $4, X10, X11
	VCVTDQ2PD X11, Y11
	VDIVPD Y11, Y9, Y9
	VBLENDVPD Y12, Y9, Y0, Y0
	DECQ DX
	JNZ  tcIter

tcStore:
	VMOVUPD Y0, (DI)
	ADDQ $64, SI
	ADDQ $16, R8
	ADDQ $16, R9
	ADDQ $16, R10
	ADDQ $32, DI
	DECQ CX
	JNZ  tcGroup
	VZEROUPPER

tcDone:
	RET

// Constants of centroidLoopAVX2.
DATA clConst<>+0(SB)/8, $0.5
DATA clConst<>+8(SB)/8, $32.0
DATA clConst<>+16(SB)/8, $0.03125
DATA clConst<>+24(SB)/8, $2.0
DATA clConst<>+32(SB)/8, $4e-4
DATA clConst<>+40(SB)/8, $-0.5
GLOBL clConst<>(SB), RODATA|NOPTR, $48

// func centroidLoopAVX2(win *[56]float64, tab *wEntry, n int, x0f, y0f, lox, hix, loy, hiy, cx, cy float64) (s, cxo, cyo float64, ix, iy int, ok bool)
//
// refineAt's centroid iteration, up to four steps, with the operations of
// the Go loop in the same order: phase index of the estimate in the
// weight table (tab, n entries of 136 bytes), the window sums of
// centroidAVX2, the clamped step and the clamped estimate; it stops on a
// repeated phase or a step under 0.02 px. ok is false when a weighted sum
// is not positive. ix, iy are the phases of the last sums.
TEXT ·centroidLoopAVX2(SB), NOSPLIT, $0-129
	MOVQ win+0(FP), SI
	MOVQ tab+8(FP), DI
	MOVQ n+16(FP), R8
	DECQ R8
	VMOVSD cx+72(FP), X14
	VMOVSD cy+80(FP), X15
	MOVQ $-1, R10
	MOVQ $-1, R11
	MOVQ $4, CX

clIter:
	// ix = clamp(int((cxf − x0f − 0.5)·32 + 0.5), 0, n−1); iy likewise.
	VSUBSD x0f+24(FP), X14, X0
	VSUBSD clConst<>+0(SB), X0, X0
	VMULSD clConst<>+8(SB), X0, X0
	VADDSD clConst<>+0(SB), X0, X0
	VCVTTSD2SIQ X0, AX
	XORQ DX, DX
	CMPQ AX, DX
	CMOVQLT DX, AX
	CMPQ AX, R8
	CMOVQGT R8, AX
	VSUBSD y0f+32(FP), X15, X0
	VSUBSD clConst<>+0(SB), X0, X0
	VMULSD clConst<>+8(SB), X0, X0
	VADDSD clConst<>+0(SB), X0, X0
	VCVTTSD2SIQ X0, BX
	CMPQ BX, DX
	CMOVQLT DX, BX
	CMPQ BX, R8
	CMOVQGT R8, BX
	CMPQ AX, R10
	JNE  clNew
	CMPQ BX, R11
	JEQ  clDone

clNew:
	MOVQ AX, R10
	MOVQ BX, R11
	IMUL3Q $136, AX, R12
	ADDQ DI, R12 // wx
	IMUL3Q $136, BX, R13
	ADDQ DI, R13 // wy

	// Column sums C (Y0, Y1) and Cy (Y2, Y3) over the seven rows.
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ SI, DX
	XORQ R9, R9

clRow:
	VBROADCASTSD 0(R13)(R9*8), Y4  // wy.w[j]
	VBROADCASTSD 64(R13)(R9*8), Y5 // wy.wt[j]
	VMOVUPD 0(DX), Y6
	VMOVUPD 32(DX), Y7
	VMULPD Y6, Y4, Y8
	VADDPD Y8, Y0, Y0
	VMULPD Y7, Y4, Y8
	VADDPD Y8, Y1, Y1
	VMULPD Y6, Y5, Y8
	VADDPD Y8, Y2, Y2
	VMULPD Y7, Y5, Y8
	VADDPD Y8, Y3, Y3
	ADDQ $64, DX
	INCQ R9
	CMPQ R9, $7
	JNE  clRow

	VMOVUPD 0(R12), Y4   // wx.w[0:4]
	VMOVUPD 32(R12), Y5  // wx.w[4:8]
	VMOVUPD 64(R12), Y6  // wx.wt[0:4]
	VMOVUPD 96(R12), Y7  // wx.wt[4:8]
	VMULPD Y0, Y4, Y8
	VMULPD Y1, Y5, Y9
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X10   // S
	VMULPD Y0, Y6, Y8
	VMULPD Y1, Y7, Y9
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X11   // sx
	VMULPD Y2, Y4, Y8
	VMULPD Y3, Y5, Y9
	VADDPD Y9, Y8, Y8
	VEXTRACTF128 $1, Y8, X9
	VADDPD X9, X8, X8
	VHADDPD X8, X8, X12   // sy
	VMOVSD X10, s+88(FP)

	// S ≤ 0: the candidate fails.
	VXORPD X0, X0, X0
	VUCOMISD X0, X10
	JBE  clReject

	// dx = clamp((qx + 2·sx/S) − cxf, ±0.5), qx = (x0f + 0.5) + ix/32.
	VCVTSI2SDQ R10, X0, X0
	VMULSD clConst<>+16(SB), X0, X0
	VMOVSD x0f+24(FP), X1
	VADDSD clConst<>+0(SB), X1, X1
	VADDSD X0, X1, X1
	VMULSD clConst<>+24(SB), X11, X2
	VDIVSD X10, X2, X2
	VADDSD X2, X1, X1
	VSUBSD X14, X1, X1
	VMINSD clConst<>+0(SB), X1, X1
	VMAXSD clConst<>+40(SB), X1, X1 // X1 = dx
	VCVTSI2SDQ R11, X0, X0
	VMULSD clConst<>+16(SB), X0, X0
	VMOVSD y0f+32(FP), X3
	VADDSD clConst<>+0(SB), X3, X3
	VADDSD X0, X3, X3
	VMULSD clConst<>+24(SB), X12, X2
	VDIVSD X10, X2, X2
	VADDSD X2, X3, X3
	VSUBSD X15, X3, X3
	VMINSD clConst<>+0(SB), X3, X3
	VMAXSD clConst<>+40(SB), X3, X3 // X3 = dy
	// cxf = clamp(cxf + dx, lox, hix); cyf likewise.
	VADDSD X1, X14, X14
	VMAXSD lox+40(FP), X14, X14
	VMINSD hix+48(FP), X14, X14
	VADDSD X3, X15, X15
	VMAXSD loy+56(FP), X15, X15
	VMINSD hiy+64(FP), X15, X15
	// Stop once the step is under 0.02 px.
	VMULSD X1, X1, X1
	VMULSD X3, X3, X3
	VADDSD X3, X1, X1
	VUCOMISD clConst<>+32(SB), X1
	JCS  clDone
	DECQ CX
	JNZ  clIter

clDone:
	VMOVSD X14, cxo+96(FP)
	VMOVSD X15, cyo+104(FP)
	MOVQ R10, ix+112(FP)
	MOVQ R11, iy+120(FP)
	MOVB $1, ok+128(FP)
	VZEROUPPER
	RET

clReject:
	MOVB $0, ok+128(FP)
	VZEROUPPER
	RET

// Lane masks of ringSumsAVX2: a whole ring row (pixels 0-6), and the two
// ends of a middle row (pixels 0 and 6).
DATA ringMask<>+0(SB)/4, $-1
DATA ringMask<>+4(SB)/4, $-1
DATA ringMask<>+8(SB)/4, $-1
DATA ringMask<>+12(SB)/4, $-1
DATA ringMask<>+16(SB)/4, $-1
DATA ringMask<>+20(SB)/4, $-1
DATA ringMask<>+24(SB)/4, $-1
DATA ringMask<>+28(SB)/4, $0
DATA ringMask<>+32(SB)/4, $-1
DATA ringMask<>+36(SB)/4, $0
DATA ringMask<>+40(SB)/4, $0
DATA ringMask<>+44(SB)/4, $0
DATA ringMask<>+48(SB)/4, $0
DATA ringMask<>+52(SB)/4, $0
DATA ringMask<>+56(SB)/4, $-1
DATA ringMask<>+60(SB)/4, $0
GLOBL ringMask<>(SB), RODATA|NOPTR, $64

// func ringSumsAVX2(p *uint8, stride int, l int32) (s, s2, k, hi int)
//
// Over the 24 pixels on the border of the 7×7 square from p (rows of
// stride bytes): the sum, the sum of squares and the number of those at
// most l, and the largest of all. Reads 8 bytes per row.
TEXT ·ringSumsAVX2(SB), NOSPLIT, $0-56
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVL l+16(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15          // l
	VMOVDQU ringMask<>+0(SB), Y14  // whole row
	VMOVDQU ringMask<>+32(SB), Y13 // ends
	VPXOR Y0, Y0, Y0 // s
	VPXOR Y1, Y1, Y1 // s2
	VPXOR Y2, Y2, Y2 // −k
	VPXOR Y3, Y3, Y3 // hi

	// Row 0, whole.
	VPMOVZXBD (SI), Y4
	VPAND Y14, Y4, Y4
	VPMAXSD Y4, Y3, Y3
	VPCMPGTD Y15, Y4, Y5
	VPANDN Y14, Y5, Y5 // in the ring and at most l
	VPAND Y5, Y4, Y4
	VPADDD Y4, Y0, Y0
	VPMULLD Y4, Y4, Y4
	VPADDD Y4, Y1, Y1
	VPADDD Y5, Y2, Y2
	MOVQ $5, CX

ringMid:
	ADDQ BX, SI
	VPMOVZXBD (SI), Y4
	VPAND Y13, Y4, Y4
	VPMAXSD Y4, Y3, Y3
	VPCMPGTD Y15, Y4, Y5
	VPANDN Y13, Y5, Y5
	VPAND Y5, Y4, Y4
	VPADDD Y4, Y0, Y0
	VPMULLD Y4, Y4, Y4
	VPADDD Y4, Y1, Y1
	VPADDD Y5, Y2, Y2
	DECQ CX
	JNZ  ringMid

	// Row 6, whole.
	ADDQ BX, SI
	VPMOVZXBD (SI), Y4
	VPAND Y14, Y4, Y4
	VPMAXSD Y4, Y3, Y3
	VPCMPGTD Y15, Y4, Y5
	VPANDN Y14, Y5, Y5
	VPAND Y5, Y4, Y4
	VPADDD Y4, Y0, Y0
	VPMULLD Y4, Y4, Y4
	VPADDD Y4, Y1, Y1
	VPADDD Y5, Y2, Y2

	// Fold the eight lanes.
	VEXTRACTI128 $1, Y0, X4
	VPADDD X4, X0, X0
	VPSHUFD $0x4E, X0, X4
	VPADDD X4, X0, X0
	VPSHUFD $0xB1, X0, X4
	VPADDD X4, X0, X0
	VEXTRACTI128 $1, Y1, X4
	VPADDD X4, X1, X1
	VPSHUFD $0x4E, X1, X4
	VPADDD X4, X1, X1
	VPSHUFD $0xB1, X1, X4
	VPADDD X4, X1, X1
	VEXTRACTI128 $1, Y2, X4
	VPADDD X4, X2, X2
	VPSHUFD $0x4E, X2, X4
	VPADDD X4, X2, X2
	VPSHUFD $0xB1, X2, X4
	VPADDD X4, X2, X2
	VEXTRACTI128 $1, Y3, X4
	VPMAXSD X4, X3, X3
	VPSHUFD $0x4E, X3, X4
	VPMAXSD X4, X3, X3
	VPSHUFD $0xB1, X3, X4
	VPMAXSD X4, X3, X3
	VMOVD X0, AX
	MOVQ AX, s+24(FP)
	VMOVD X1, AX
	MOVQ AX, s2+32(FP)
	VMOVD X2, AX
	NEGL AX
	MOVQ AX, k+40(FP)
	VMOVD X3, AX
	MOVQ AX, hi+48(FP)
	VZEROUPPER
	RET

// Word lane k holds bit k, for peak4x4AVX2's claim mask.
DATA bitSel<>+0(SB)/8, $0x0008000400020001
DATA bitSel<>+8(SB)/8, $0x0080004000200010
DATA bitSel<>+16(SB)/8, $0x0800040002000100
DATA bitSel<>+24(SB)/8, $0x8000400020001000
GLOBL bitSel<>(SB), RODATA|NOPTR, $32

// func peak4x4AVX2(p *uint8, stride int, claimed uint64) (k, v int)
//
// The brightest of the 4×4 pixels from p (rows of stride bytes) whose bit
// of claimed (bit 4·row + column) is clear: its index k = 4·row + column
// (the first in scan order on ties) and value v; v = −1 when all are
// claimed. Keys are 65535 − (v + 1), 0 for claimed pixels, so
// PHMINPOSUW's first minimum is the first maximum.
TEXT ·peak4x4AVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	MOVL (SI), AX
	VMOVD AX, X0
	MOVL (SI)(BX*1), AX
	VPINSRD $1, AX, X0, X0
	LEAQ (SI)(BX*2), SI
	MOVL (SI), AX
	VPINSRD $2, AX, X0, X0
	MOVL (SI)(BX*1), AX
	VPINSRD $3, AX, X0, X0
	VPMOVZXBW X0, Y0
	VPCMPEQW Y1, Y1, Y1
	VPSUBW Y1, Y0, Y0 // v + 1
	MOVQ claimed+16(FP), AX
	VMOVD AX, X2
	VPBROADCASTW X2, Y2
	VMOVDQU bitSel<>(SB), Y3
	VPAND Y3, Y2, Y2
	VPCMPEQW Y3, Y2, Y2 // claimed lanes
	VPANDN Y0, Y2, Y0   // 0 where claimed
	VPXOR Y1, Y0, Y0    // 65535 − key
	VPHMINPOSUW X0, X4
	VEXTRACTI128 $1, Y0, X5
	VPHMINPOSUW X5, X5
	VMOVD X4, AX
	MOVL AX, CX
	ANDL $0xFFFF, AX // minimum of pixels 0-7
	SHRL $16, CX     // its index
	VMOVD X5, DX
	MOVL DX, R8
	ANDL $0xFFFF, DX // minimum of pixels 8-15
	SHRL $16, R8
	ADDL $8, R8
	CMPL DX, AX
	CMOVLLT DX, AX   // strictly smaller: the later half wins
	CMOVLLT R8, CX
	MOVL $65534, DX
	SUBL AX, DX      // v = 65534 − minimum (−1: all claimed)
	MOVLQSX DX, DX
	MOVQ CX, k+24(FP)
	MOVQ DX, v+32(FP)
	VZEROUPPER
	RET

// Lane masks of hotStatsAVX2: pixels 0-4 of a row; pixels 0 and 4; 1-3.
DATA hotMask<>+0(SB)/8, $-1
DATA hotMask<>+8(SB)/8, $-1
DATA hotMask<>+16(SB)/8, $0x00000000ffffffff
DATA hotMask<>+24(SB)/8, $0
DATA hotMask<>+32(SB)/8, $0x00000000ffffffff
DATA hotMask<>+40(SB)/8, $0
DATA hotMask<>+48(SB)/8, $0x00000000ffffffff
DATA hotMask<>+56(SB)/8, $0
DATA hotMask<>+64(SB)/8, $0xffffffff00000000
DATA hotMask<>+72(SB)/8, $-1
DATA hotMask<>+80(SB)/8, $0
DATA hotMask<>+88(SB)/8, $0
GLOBL hotMask<>(SB), RODATA|NOPTR, $96

// func hotStatsAVX2(p *uint8, stride int) uint64
//
// Of the 5×5 pixels from p (rows of stride bytes; reads 8 bytes per row):
// the sum of the 16 on the border (bits 0-15), the largest of the inner
// 3×3 (16-23), and the inner cells 1, 3, 4, 5, 7 (the centre and its
// edge neighbours; bits 24-31, 32-39, 40-47, 48-55, 56-63).
TEXT ·hotStatsAVX2(SB), NOSPLIT, $0-24
	MOVQ p+0(FP), SI
	MOVQ stride+8(FP), BX
	VMOVDQU hotMask<>+0(SB), Y13  // pixels 0-4
	VMOVDQU hotMask<>+32(SB), Y14 // pixels 0 and 4
	VMOVDQU hotMask<>+64(SB), Y15 // pixels 1-3
	VPMOVZXBD (SI), Y0
	VPMOVZXBD (SI)(BX*1), Y1
	LEAQ (SI)(BX*2), SI
	VPMOVZXBD (SI), Y2
	VPMOVZXBD (SI)(BX*1), Y3
	VPMOVZXBD (SI)(BX*2), Y4
	// Border sum.
	VPADDD Y4, Y0, Y5
	VPAND Y13, Y5, Y5
	VPADDD Y2, Y1, Y6
	VPADDD Y3, Y6, Y6
	VPAND Y14, Y6, Y6
	VPADDD Y6, Y5, Y5
	VEXTRACTI128 $1, Y5, X6
	VPADDD X6, X5, X5
	VPSHUFD $0x4E, X5, X6
	VPADDD X6, X5, X5
	VPSHUFD $0xB1, X5, X6
	VPADDD X6, X5, X5
	VMOVD X5, AX
	// Inner maximum (pixels are non-negative, masked lanes 0).
	VPMAXSD Y2, Y1, Y6
	VPMAXSD Y3, Y6, Y6
	VPAND Y15, Y6, Y6
	VPSHUFD $0x4E, X6, X7
	VPMAXSD X7, X6, X6
	VPSHUFD $0xB1, X6, X7
	VPMAXSD X7, X6, X6
	VMOVD X6, DX
	SHLQ $16, DX
	ORQ DX, AX
	VPEXTRD $2, X1, DX // cell 1
	SHLQ $24, DX
	ORQ DX, AX
	VPEXTRD $1, X2, DX // cell 3
	SHLQ $32, DX
	ORQ DX, AX
	VPEXTRD $2, X2, DX // cell 4
	SHLQ $40, DX
	ORQ DX, AX
	VPEXTRD $3, X2, DX // cell 5
	SHLQ $48, DX
	ORQ DX, AX
	VPEXTRD $2, X3, DX // cell 7
	SHLQ $56, DX
	ORQ DX, AX
	MOVQ AX, ret+16(FP)
	VZEROUPPER
	RET
