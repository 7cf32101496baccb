package mount_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/hw/mount"
)

// The PiFinder builds and the solve-image rotation of the default one.
func Example() {
	rot, err := mount.ImageRotation(mount.Default)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(mount.Directions()), "builds; default", mount.Default, "rotates the image", rot, "degrees")
	_, err = mount.IMUToCamera("sideways")
	fmt.Println(err != nil)
	// Output:
	// 10 builds; default right rotates the image 90 degrees
	// true
}
