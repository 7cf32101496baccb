package resident_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/internal/resident"
)

// The resident-set figures come from the kernel's status text.
func ExampleParseStatus() {
	s, err := resident.ParseStatus([]byte("VmHWM:\t  37828 kB\nVmRSS:\t  35776 kB\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("peak %d kB, now %d kB\n", s.HWM>>10, s.RSS>>10)
	// Output: peak 37828 kB, now 35776 kB
}
