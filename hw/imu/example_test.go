package imu_test

import (
	"fmt"
	"time"

	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/hw/imu"
)

// The filter publishes nothing until the gyro is calibrated, then registers
// the first reading as movement and publishes its quaternion when it stops.
func ExampleFilter() {
	f := imu.NewFilter(1)
	t := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	q := quat.Number{Real: 0.8, Imag: 0.6}
	for i, cal := range []int{0, 3, 3} {
		s, pub, _ := f.Step(imu.Reading{Time: t.Add(time.Duration(i) * time.Second / 30), Quat: q, GyroCal: cal})
		fmt.Println(pub, s.Moving, s.Quat)
	}
	// Output:
	// false false (0+0i+0j+0k)
	// true true (0.8+0.6i+0j+0k)
	// true false (0.8+0.6i+0j+0k)
}
