package db_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/solver/db"
)

// The embedded default database and its coverage.
func ExampleDefault() {
	d, err := db.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	h := d.Header
	fmt.Printf("version %d, FOV %.0f-%.0f deg, epoch %.1f, %d scales\n", h.Version, h.FOVMin, h.FOVMax, h.Epoch, h.Scales)
	// Output: version 1, FOV 8-23 deg, epoch 2026.0, 4 scales
}

// A corrupt file is rejected with an error naming the problem.
func ExampleDecode() {
	b := append([]byte(nil), db.DefaultBytes()...)
	b[len(b)/2] ^= 1
	_, err := db.Decode(b)
	fmt.Println(err != nil)
	// Output: true
}
