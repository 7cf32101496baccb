// Command fakerpicam stands in for rpicam-raw/rpicam-vid in tests: it
// parses the options the camera package passes (--mode W:H:bits:U,
// --shutter, --gain) and streams unpacked 16-bit little-endian raw frames
// to stdout, behaving as FAKE_RPICAM_MODE says:
//
//	normal   frames forever (the default)
//	stall    FAKE_RPICAM_AFTER frames, then silence until killed
//	die      FAKE_RPICAM_AFTER frames, then an error on stderr and exit 3
//	garbage  FAKE_RPICAM_AFTER frames, then frames of out-of-range samples
//	short    FAKE_RPICAM_AFTER frames, then half a frame and exit 1
//
// FAKE_RPICAM_STRIDE sets the row length in bytes (padding is 0xEE),
// FAKE_RPICAM_PERIOD the frame period (Go duration, default min(shutter,
// 20ms)), and FAKE_RPICAM_LOG names a file that gets one line per start.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	w, h, bits := 1456, 1088, 10
	shutter := int64(100000)
	gain := 1.0
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		next := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch args[i] {
		case "--mode":
			p := strings.Split(next(), ":")
			if len(p) >= 3 {
				w, _ = strconv.Atoi(p[0])
				h, _ = strconv.Atoi(p[1])
				bits, _ = strconv.Atoi(p[2])
			}
		case "--shutter":
			shutter, _ = strconv.ParseInt(next(), 10, 64)
		case "--gain":
			gain, _ = strconv.ParseFloat(next(), 64)
		}
	}
	if w <= 0 || h <= 0 || bits < 8 || bits > 16 {
		fmt.Fprintln(os.Stderr, "ERROR: bad --mode")
		os.Exit(2)
	}
	mode := os.Getenv("FAKE_RPICAM_MODE")
	after := 2
	if v, err := strconv.Atoi(os.Getenv("FAKE_RPICAM_AFTER")); err == nil {
		after = v
	}
	stride := 2 * w
	if v, err := strconv.Atoi(os.Getenv("FAKE_RPICAM_STRIDE")); err == nil && v >= 2*w {
		stride = v
	}
	period := min(time.Duration(shutter)*time.Microsecond, 20*time.Millisecond)
	if v, err := time.ParseDuration(os.Getenv("FAKE_RPICAM_PERIOD")); err == nil {
		period = v
	}
	if p := os.Getenv("FAKE_RPICAM_LOG"); p != "" {
		if f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, "start shutter=%d gain=%g\n", shutter, gain)
			f.Close()
		}
	}
	fmt.Fprintf(os.Stderr, "fake camera %dx%d %d-bit shutter %d gain %g\n", w, h, bits, shutter, gain)

	good := frame(w, h, bits, stride, false)
	bad := frame(w, h, bits, stride, true)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	for n := 0; ; n++ {
		time.Sleep(period)
		buf := good
		if n >= after {
			switch mode {
			case "stall":
				for {
					time.Sleep(time.Hour)
				}
			case "die":
				fmt.Fprintln(os.Stderr, "ERROR: *** camera frontend has timed out! ***")
				os.Exit(3)
			case "garbage":
				buf = bad
			case "short":
				out.Write(good[:len(good)/2])
				out.Flush()
				os.Exit(1)
			}
		}
		if _, err := out.Write(buf); err != nil {
			os.Exit(0) // reader went away
		}
		if err := out.Flush(); err != nil {
			os.Exit(0)
		}
	}
}

// frame builds one raw frame: bias + 20 plus a gentle ramp, a bright 5×5
// square at row 200, column 300, padding 0xEE; or all samples 0xFFFF.
func frame(w, h, bits, stride int, garbage bool) []byte {
	buf := make([]byte, stride*h)
	maxV := 1<<bits - 1
	bias := 60
	if bits == 12 {
		bias = 256
	}
	for y := 0; y < h; y++ {
		row := buf[y*stride : (y+1)*stride]
		for i := 2 * w; i < stride; i++ {
			row[i] = 0xEE
		}
		for x := 0; x < w; x++ {
			v := bias + 20 + (x+y)%50
			if y >= 200 && y < 205 && x >= 300 && x < 305 {
				v = maxV
			}
			if garbage {
				v = 0xFFFF
			}
			row[2*x], row[2*x+1] = byte(v), byte(v>>8)
		}
	}
	return buf
}
