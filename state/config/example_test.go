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

	settings, err := config.Open(path) // missing: defaults, no error
	if err != nil {
		fmt.Println(err)
		return
	}
	c := settings.Current()
	fmt.Println(c.TargetPixel, c.SleepTimeout)

	// Every writer asks the owner; the file is replaced atomically.
	if err := settings.Update(func(c *config.Config) { c.TargetPixel = [2]float64{251, 262} }); err != nil {
		fmt.Println(err)
	}
	c, _ = config.Load(path)
	fmt.Println(c.TargetPixel, settings.Current().TargetPixel)
	// Output:
	// [256 256] 30s
	// [251 262] [251 262]
}
