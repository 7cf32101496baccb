package tmpdeps

import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rs/zerolog"
	_ "go.uber.org/goleak"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/term"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/num/quat"
	_ "gonum.org/v1/gonum/spatial/r3"
	_ "gonum.org/v1/gonum/spatial/kdtree"
	_ "periph.io/x/conn/v3/i2c"
	_ "periph.io/x/conn/v3/i2c/i2ctest"
	_ "periph.io/x/conn/v3/i2c/i2creg"
	_ "periph.io/x/host/v3"
	_ "golang.org/x/image/font/basicfont"
	_ "golang.org/x/image/font"
)
