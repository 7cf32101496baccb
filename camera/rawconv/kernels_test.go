package rawconv

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"
)

// The dispatching kernels (NEON on arm64: run these tests there with
// GOARCH=arm64 go test -c and qemu-aarch64) must give exactly what the
// portable ones give, for every width including the tails the block
// kernels leave over, and for samples of any 16-bit value (garbage frames
// go through pass 1 before they are rejected).

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = uint8(rng.Uint32())
	}
	return b
}

func TestRawRowMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 200; n++ {
		for _, shift := range []uint{0, 4, 6} {
			for _, rev := range []bool{false, true} {
				src := randBytes(rng, 2*n)
				want, got := randBytes(rng, 2*n), randBytes(rng, 2*n)
				copy(got, want)
				mw := rawRowGo(want, src, n, shift, rev, 0)
				mg := rawRow(got, src, n, shift, rev)
				if mw != mg || !slices.Equal(want, got) {
					t.Fatalf("n=%d shift=%d rev=%v: max %d, want %d; rows equal %v", n, shift, rev, mg, mw, slices.Equal(want, got))
				}
			}
		}
	}
}

func TestVsumMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 0; n <= 90; n++ {
		for taps := 1; taps <= 5; taps++ {
			for _, sh := range [][2]uint{{0, 9}, {6, 9}, {0, 11}, {4, 11}, {0, 15}} {
				rows := make([][]byte, taps)
				w := make([]uint16, taps)
				for k := range rows {
					rows[k] = randBytes(rng, 2*n)
					w[k] = uint16(rng.IntN(wOne/taps + 1))
				}
				want, got := make([]uint16, n), make([]uint16, n)
				vsumGo(want, rows, w, sh[0], sh[1], 0)
				vsum(got, rows, w, sh[0], sh[1])
				if !slices.Equal(want, got) {
					t.Fatalf("n=%d taps=%d shifts=%v: %v, want %v", n, taps, sh, got, want)
				}
			}
		}
	}
}

func TestHsumMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range [][2]int{{1088, 512}, {980, 512}, {1516, 512}, {1520, 512}, {69, 23}, {100, 45}, {40, 45}, {300, 40}, {20, 8}, {9, 8}} {
		a := newAxis(c[0], c[1])
		u := make([]uint16, c[0]+uPad)
		for i := range c[0] {
			u[i] = uint16(rng.Uint32())
		}
		h := newHTab(&a, len(u))
		for _, p := range []Profile{Profiles["imx296"], Profiles["hq"], {Bits: 16, Bias: 0, DigitalGain: 300}} {
			sc := newScale8(p)
			want, got := make([]uint8, c[1]), make([]uint8, c[1])
			hsumGo(want, u, &a, sc, 0)
			hsum(got, u, &a, h, sc)
			if !slices.Equal(want, got) {
				t.Fatalf("%d→%d: %v, want %v", c[0], c[1], got, want)
			}
		}
	}
}

func TestTurnTilesMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const n = 40
	src := randBytes(rng, n*n)
	for tiles := 0; tiles <= n/8; tiles++ {
		for _, rev := range []bool{false, true} {
			for _, dstep := range []int{n, -n} {
				d0 := 0
				if dstep < 0 {
					d0 = (n - 1) * n
				}
				want, got := make([]byte, n*n), make([]byte, n*n)
				turnTilesGo(want, d0, dstep, src, 3*n, n, tiles, rev)
				turnTiles(got, d0, dstep, src, 3*n, n, tiles, rev)
				if !slices.Equal(want, got) {
					t.Fatalf("tiles=%d rev=%v dstep=%d differ", tiles, rev, dstep)
				}
			}
		}
	}
}

// TestScale8Layout pins the field offsets the horizontal kernel reads.
func TestScale8Layout(t *testing.T) {
	var sc scale8
	if unsafe.Offsetof(sc.bias) != 0 || unsafe.Offsetof(sc.mul) != 4 || unsafe.Offsetof(sc.shift) != 8 {
		t.Fatal("scale8 layout changed: update hsumNEON")
	}
}

// TestScale8 checks the fixed-point formula against Profile.To8 on every
// raw level of the shipped profiles (a uniform mean is exact in the sums).
func TestScale8(t *testing.T) {
	for name, p := range Profiles {
		sc := newScale8(p)
		up := uint32(1) << (16 - p.Bits)
		for v := range 1 << p.Bits {
			if got, want := sc.apply(uint32(v)*up*wOne), p.To8(uint16(v)); got != want {
				t.Fatalf("%s: level %d → %d, want %d", name, v, got, want)
			}
		}
	}
}
