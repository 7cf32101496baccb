package starcat_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// The catalogue built into the binary, with a star moved to another epoch.
func ExampleEmbedded() {
	stars, err := starcat.Embedded()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stars {
		if s.HIP == 57939 { // Groombridge 1830, 7″/yr
			moved := s.At(2026.0)
			fmt.Printf("%d stars; HIP %d V %.2f, Dec %.4f at 2000.0, %.4f at 2026.0\n", len(stars), s.HIP, s.Vmag, s.Dec, moved.Dec)
		}
	}
	// Output:
	// 41411 stars; HIP 57939 V 6.42, Dec 37.7187 at 2000.0, 37.6767 at 2026.0
}
