package rawconv_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/camera/rawconv"
)

func ExampleLookup() {
	p, err := rawconv.Lookup("imx477") // the HQ camera's driver id
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := p.CroppedSize()
	fmt.Println(p.Name, w, h, p.To8(256+100))
	// Output: hq 1516 1520 86
}
