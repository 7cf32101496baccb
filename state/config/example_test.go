package config_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pifinder-go/pifinder/state/config"
)

func Example() {
	dir, _ := os.MkdirTemp("", "cfg")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "config.json")

	c, err := config.Load(path) // missing: defaults, no error
	fmt.Println(c.TargetPixel, c.SleepTimeout, err)

	c.TargetPixel = [2]float64{251, 262}
	if err := config.Save(path, c); err != nil {
		fmt.Println(err)
	}
	c, _ = config.Load(path)
	fmt.Println(c.TargetPixel)
	// Output:
	// [256 256] 30s <nil>
	// [251 262]
}
