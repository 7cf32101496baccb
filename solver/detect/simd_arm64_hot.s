//go:build arm64 && !purego

#include "textflag.h"

// hotPixel's NEON kernel (hotStatsAVX2 in simd_amd64.s on arm64). As in
// simd_arm64.s, instructions Go's assembler lacks are written as WORD with
// their encoding and the instruction in the comment.

// Constants of hotStatsNEON, one register each: the 16-bit lanes 0-4 (a
// whole 5-pixel row), the 16-bit lanes 0 and 4 (a row's two end pixels),
// the bytes 1-3 (a row's inner pixels), and the TBX indices that gather
// the packed result: 0xFF keeps the destination byte (the border sum's
// two bytes), 0 is the inner maximum (V0.B[0]), 16+c, 32+c and 48+c are
// byte c of rows 1, 2 and 3 (V1, V2, V3): cells 1 (row 1 byte 2), 3, 4, 5
// (row 2 bytes 1-3) and 7 (row 3 byte 2).
DATA hotConsts<>+0(SB)/8, $-1
DATA hotConsts<>+8(SB)/8, $0x000000000000FFFF
DATA hotConsts<>+16(SB)/8, $0x000000000000FFFF
DATA hotConsts<>+24(SB)/8, $0x000000000000FFFF
DATA hotConsts<>+32(SB)/8, $0x00000000FFFFFF00
DATA hotConsts<>+40(SB)/8, $0
DATA hotConsts<>+48(SB)/8, $0x322322211200FFFF
DATA hotConsts<>+56(SB)/8, $0
GLOBL hotConsts<>(SB), RODATA|NOPTR, $64

// func hotStatsNEON(p *uint8, stride int) uint64
//
// Of the 5×5 pixels from p (rows of stride bytes; reads 8 bytes per row):
// the sum of the 16 on the border (bits 0-15), the largest of the inner
// 3×3 (16-23), and the inner cells 1, 3, 4, 5, 7 (the centre and its
// edge neighbours; bits 24-31, 32-39, 40-47, 48-55, 56-63), as
// hotStatsAVX2 packs them. Rows 0 and 4 are summed in 16-bit lanes and
// masked to pixels 0-4, rows 1-3 likewise and masked to pixels 0 and 4;
// the border sum (at most 16·255) is the lanes' total. One TBX then puts
// the inner maximum and the five cells beside it, so the result leaves
// the vector unit in one move.
TEXT ·hotStatsNEON(SB), NOSPLIT, $0-24
	MOVD p+0(FP), R0
	MOVD stride+8(FP), R1
	MOVD $hotConsts<>(SB), R2
	VLD1 (R2), [V20.B16, V21.B16, V22.B16, V23.B16]
	// Rows 0-4 in V0-V4 (8 bytes each; the loads clear the upper halves,
	// which TBX reads as zeros).
	VLD1.P (R0)(R1), [V0.B8]
	VLD1.P (R0)(R1), [V1.B8]
	VLD1.P (R0)(R1), [V2.B8]
	VLD1.P (R0)(R1), [V3.B8]
	VLD1 (R0), [V4.B8]
	// Border sum.
	WORD $0x2e220026 // UADDL V6.8H, V1.8B, V2.8B
	WORD $0x2e240005 // UADDL V5.8H, V0.8B, V4.8B
	WORD $0x2e2310c6 // UADDW V6.8H, V6.8H, V3.8B
	VAND V20.B16, V5.B16, V5.B16 // rows 0 and 4: pixels 0-4
	VAND V21.B16, V6.B16, V6.B16 // rows 1-3: pixels 0 and 4
	VADD V6.H8, V5.H8, V5.H8
	WORD $0x4e71b8a5 // ADDV H5, V5.8H: clears the rest of V5
	// Inner maximum: pixels 1-3 of rows 1-3 (masked bytes are 0).
	VUMAX V2.B8, V1.B8, V7.B8
	VUMAX V3.B8, V7.B8, V7.B8
	VAND V22.B8, V7.B8, V7.B8
	WORD $0x2e30a8e0 // UMAXV B0, V7.8B: row 0 is summed already
	// Bytes 2-7 of V5 from the table V0-V3.
	VTBX V23.B8, [V0.B16, V1.B16, V2.B16, V3.B16], V5.B8
	VMOV V5.D[0], R3
	MOVD R3, ret+16(FP)
	RET
