package objects_test

import (
	"fmt"
	"slices"

	"github.com/pifinder-go/pifinder/internal/sky/objects"
)

func ExampleAll() {
	all, err := objects.All()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range all {
		if slices.Contains(o.Designations, "NGC 224") {
			fmt.Printf("%s: %v, %s, mag %.1f, in %s\n", o.Label(), o.Designations, o.Kind, o.Mag, o.Constellation)
		}
	}
	// Output:
	// M 31 Andromeda Galaxy: [M 31 NGC 224], galaxy, mag 3.4, in And
}
