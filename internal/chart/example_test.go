package chart_test

import (
	"fmt"
	"strings"

	"github.com/pifinder-go/pifinder/internal/chart"
)

func ExampleBuild() {
	s, err := chart.Build(chart.Options{
		CenterRA: 83.8, CenterDec: -1, // Orion's belt
		FOV:       20,
		CameraFOV: 10,
		Target:    &chart.Mark{RA: 83.82, Dec: -5.39, Label: "M 42"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var b strings.Builder
	if err := s.WriteSVG(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.HasPrefix(b.String(), "<svg"), s.Target.Inside)
	// Output:
	// true true
}
