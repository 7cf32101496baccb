package lx200

import "github.com/pifinder-go/pifinder/internal/sky/astro"

// DefaultToDate and DefaultFromDate are the conversions a Server uses when
// its Config leaves them nil: J2000 (ICRS) ↔ true equator and equinox of
// date (ERFA pnm06a-equivalent), the "JNow" LX200 clients expect.
var (
	DefaultToDate   Converter = astro.JNow
	DefaultFromDate Converter = astro.J2000FromJNow
)
