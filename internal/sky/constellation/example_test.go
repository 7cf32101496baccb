package constellation_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/internal/sky/constellation"
)

func ExampleAt() {
	abbr := constellation.At(88.7929, 7.4071) // Betelgeuse
	name, genitive, _ := constellation.Name(abbr)
	fmt.Println(abbr, name, genitive)
	fmt.Println(constellation.At(0, 90), constellation.At(0, -90))
	// Output:
	// Ori Orion Orionis
	// UMi Oct
}
