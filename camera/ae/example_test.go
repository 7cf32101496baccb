package ae_test

import (
	"fmt"
	"time"

	"github.com/pifinder-go/pifinder/camera/ae"
)

func ExamplePID() {
	p := ae.NewPID(ae.DefaultPIDConfig())
	exp := int64(400000)
	if v, ok := p.Update(10, exp, time.Now()); ok {
		exp = v
	}
	fmt.Println(exp)
	// Output: 429750
}
