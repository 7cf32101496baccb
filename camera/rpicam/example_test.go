package rpicam_test

import (
	"fmt"

	"github.com/pifinder-go/pifinder/camera/rawconv"
	"github.com/pifinder-go/pifinder/camera/rpicam"
)

// A Pi 5 with the imx296 reports 16-bit words in 64-byte rows; the
// converter reads them as MSB-aligned 10-bit samples.
func ExampleParseRawStreamLine() {
	info, ok, err := rpicam.ParseRawStreamLine("Raw stream: 1456x1088 stride 2944 format R16")
	if !ok || err != nil {
		fmt.Println(ok, err)
		return
	}
	p, _ := rawconv.Lookup("imx296")
	l, err := info.Layout(p)
	fmt.Println(l.Stride, l.Format, err)
	// Output: 2944 msb-aligned <nil>
}

// A packed stream cannot be read; the error says why.
func ExampleStreamInfo_Layout() {
	p, _ := rawconv.Lookup("hq")
	_, err := rpicam.StreamInfo{Width: 2028, Height: 1520, Stride: 3072, Format: "SRGGB12_CSI2P"}.Layout(p)
	fmt.Println(err)
	// Output: camera: bad configuration: unsupported raw stream: SRGGB12_CSI2P holds csi2-packed samples (ask for an unpacked mode)
}
