package detect

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pifinder-go/pifinder/internal/render"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

const (
	catalogPath = "../../../shared/catalog/hip8.csv"
	skyDir      = "../../../shared/sky"
)

var (
	skyOnce sync.Once
	skyVal  *render.Sky
	skyErr  error
)

// testSky loads hip8.csv once, or skips when the shared data is absent.
func testSky(tb testing.TB) *render.Sky {
	tb.Helper()
	skyOnce.Do(func() {
		var stars []starcat.Star
		stars, skyErr = starcat.Load(filepath.FromSlash(catalogPath))
		if skyErr == nil {
			skyVal = render.NewSky(stars, 2026.9)
		}
	})
	if skyErr != nil {
		if os.IsNotExist(unwrapAll(skyErr)) {
			tb.Skipf("shared catalogue %s absent: %v", catalogPath, skyErr)
		}
		tb.Fatalf("load catalogue: %v", skyErr)
	}
	return skyVal
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		n := u.Unwrap()
		if n == nil {
			return err
		}
		err = n
	}
}

// match pairs each true star with the nearest unclaimed detection within tol.
// It returns, per true star, the index of the detection (or -1), and per
// detection whether it matched any drawn star within falseTol.
func match(truth []render.TrueStar, stars []Star, tol, falseTol float64) (idx []int, claimed []bool) {
	idx = make([]int, len(truth))
	claimed = make([]bool, len(stars))
	for i, ts := range truth {
		idx[i] = -1
		best := tol * tol
		for j, s := range stars {
			if claimed[j] {
				continue
			}
			if d2 := (s.X-ts.X)*(s.X-ts.X) + (s.Y-ts.Y)*(s.Y-ts.Y); d2 <= best {
				best, idx[i] = d2, j
			}
		}
		if idx[i] >= 0 {
			claimed[idx[i]] = true
		}
	}
	near := make([]bool, len(stars))
	for j, s := range stars {
		if claimed[j] {
			near[j] = true
			continue
		}
		for _, ts := range truth {
			if math.Hypot(s.X-ts.X, s.Y-ts.Y) <= falseTol {
				near[j] = true
				break
			}
		}
	}
	return idx, near
}
