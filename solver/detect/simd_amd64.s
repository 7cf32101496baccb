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

// func candMaskAVX2(up, row, dn, t *uint64, k *[7][16]uint16, out *uint32, n int)
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
// 2 bytes before to 2 bytes after its groups.
TEXT ·candMaskAVX2(SB), NOSPLIT, $0-56
	MOVQ up+0(FP), AX
	MOVQ row+8(FP), BX
	MOVQ dn+16(FP), CX
	MOVQ t+24(FP), DX
	MOVQ k+32(FP), SI
	MOVQ out+40(FP), R9
	MOVQ n+48(FP), R10
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
	JMP     candNext

candNone:
	MOVL $0, (R9)

candNext:
	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $32, CX
	ADDQ $32, DX
	ADDQ $4, R9
	DECQ R10
	JNZ  candLoop
	VZEROUPPER

candDone:
	RET
