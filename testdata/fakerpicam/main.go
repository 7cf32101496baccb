// Command fakerpicam stands in for rpicam-raw in tests. It parses the
// options the camera package passes (--mode W:H:bits:U, --shutter,
// --gain), writes rpicam-raw's "Raw stream: WxH stride S format F" line to
// stderr as rpicam-apps' apps/rpicam_raw.cpp does (once the first frame is
// complete, before it is written), and streams raw frames to stdout the way
// the hardware lays them out:
//
//	FAKE_RPICAM_PI=4 (default)  a Pi 4's Unicam: samples in the low bits of
//	                            16-bit words, rows padded to 32 bytes
//	                            (bcm2835-unicam BPL_ALIGNMENT), format
//	                            R<bits> for the mono imx296 (1456 px wide),
//	                            SRGGB<bits> otherwise
//	FAKE_RPICAM_PI=5            a Pi 5's PiSP front end: 16-bit words with
//	                            the sample at the top, rows padded to 64
//	                            bytes, format R16 or SRGGB16
//
// FAKE_RPICAM_FORMAT overrides the format name printed (the samples stay
// as above), FAKE_RPICAM_STRIDE the row length in bytes (padding is
// 0xEE). Frames are produced every FAKE_RPICAM_PERIOD (Go duration,
// default min(shutter, 20ms)) into a queue of 4 buffers, as libcamera's
// are: while nobody reads, the queue holds old frames and new ones are
// dropped. FAKE_RPICAM_TAG=1 writes each frame's production time (Unix ms
// mod 2^30, three 10-bit samples) at row H/2, columns W/2…W/2+2.
//
// FAKE_RPICAM_MODE says how it misbehaves:
//
//	normal   frames forever (the default)
//	stall    FAKE_RPICAM_AFTER frames, then silence until killed
//	die      FAKE_RPICAM_AFTER frames, then an error on stderr and exit 3
//	garbage  FAKE_RPICAM_AFTER frames, then frames of out-of-range samples
//	short    FAKE_RPICAM_AFTER frames, then half a frame and exit 1
//	noline   frames without the "Raw stream:" line first
//
// FAKE_RPICAM_LOG names a file that gets one line per start.
//
// FAKE_RPICAM_HELPER names a file: before its first frame the program
// starts a helper of its own (itself again, with -helper) that ignores
// SIGTERM and sleeps holding stdout and stderr, as a wrapper script's
// `sleep 3600` or a hung helper of rpicam-raw would, and the helper
// appends "helper pid=P ppid=Q" to the file once it ignores SIGTERM
// (the first frame is written after that). FAKE_RPICAM_IGNORE_TERM=1 makes
// the program itself ignore SIGTERM too.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// helperLife bounds a helper's sleep, so that a test binary that dies
// before its cleanup leaves no process behind for long.
const helperLife = 5 * time.Minute

// queueLen is the number of raw buffers the fake camera holds.
const queueLen = 4

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-helper" {
		helper()
		return
	}
	if os.Getenv("FAKE_RPICAM_IGNORE_TERM") == "1" {
		signal.Ignore(syscall.SIGTERM)
	}
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
	pi5 := os.Getenv("FAKE_RPICAM_PI") == "5"
	align, shift, depth := 32, 0, bits
	if pi5 {
		align, shift, depth = 64, 16-bits, 16
	}
	stride := (2*w + align - 1) / align * align
	if v, err := strconv.Atoi(os.Getenv("FAKE_RPICAM_STRIDE")); err == nil && v >= 2*w {
		stride = v
	}
	format := fmt.Sprintf("SRGGB%d", depth)
	if w == 1456 {
		format = fmt.Sprintf("R%d", depth)
	}
	if v := os.Getenv("FAKE_RPICAM_FORMAT"); v != "" {
		format = v
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
	if p := os.Getenv("FAKE_RPICAM_HELPER"); p != "" {
		startHelper(p)
	}
	tag := os.Getenv("FAKE_RPICAM_TAG") == "1"

	// The camera: one frame per period into the queue, dropped when full.
	queue := make(chan []byte, queueLen)
	go func() {
		for n := 0; ; n++ {
			time.Sleep(period)
			buf := frame(w, h, bits, stride, shift, n >= after && mode == "garbage")
			if tag {
				putTag(buf, w, h, stride, shift, time.Now())
			}
			select {
			case queue <- buf:
			default:
			}
		}
	}()
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	for n := 0; ; n++ {
		buf := <-queue
		if n == 0 && mode != "noline" {
			fmt.Fprintf(os.Stderr, "Raw stream: %dx%d stride %d format %s\n", w, h, stride, format)
		}
		if n >= after {
			switch mode {
			case "stall":
				for {
					time.Sleep(time.Hour)
				}
			case "die":
				fmt.Fprintln(os.Stderr, "ERROR: *** camera frontend has timed out! ***")
				os.Exit(3)
			case "short":
				out.Write(buf[:len(buf)/2])
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

// startHelper starts the helper, which inherits stdout and stderr, and
// waits until it has recorded itself; the helper is not waited for.
func startHelper(record string) {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR: helper:", err)
		os.Exit(4)
	}
	ready, readyW, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR: helper:", err)
		os.Exit(4)
	}
	cmd := exec.Command(self, "-helper")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{readyW} // fd 3, closed once it ignores SIGTERM
	cmd.Env = append(os.Environ(), "FAKE_RPICAM_HELPER_RECORD="+record)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "ERROR: helper:", err)
		os.Exit(4)
	}
	readyW.Close()
	_, _ = io.Copy(io.Discard, ready) // EOF: the helper is ready (or dead)
	ready.Close()
}

// helper ignores SIGTERM, records itself, tells its parent and sleeps.
func helper() {
	signal.Ignore(syscall.SIGTERM)
	if f, err := os.OpenFile(os.Getenv("FAKE_RPICAM_HELPER_RECORD"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintf(f, "helper pid=%d ppid=%d\n", os.Getpid(), os.Getppid())
		f.Close()
	}
	os.NewFile(3, "ready").Close()
	time.Sleep(helperLife)
}

// frame builds one raw frame: bias + 20 plus a gentle ramp, a bright 5×5
// square at row 200, column 300, padding 0xEE; or all samples 0xFFFF.
// Samples are shifted left by shift (MSB-aligned words).
func frame(w, h, bits, stride, shift int, garbage bool) []byte {
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
			v := (bias + 20 + (x+y)%50) << shift
			if y >= 200 && y < 205 && x >= 300 && x < 305 {
				v = maxV << shift
			}
			if garbage {
				v = 0xFFFF
			}
			row[2*x], row[2*x+1] = byte(v), byte(v>>8)
		}
	}
	return buf
}

// putTag writes t as Unix ms mod 2^30 in three 10-bit samples.
func putTag(buf []byte, w, h, stride, shift int, t time.Time) {
	ms := t.UnixMilli() & (1<<30 - 1)
	off := (h/2)*stride + 2*(w/2)
	for i := range 3 {
		v := int((ms>>(10*i))&1023) << shift
		buf[off+2*i], buf[off+2*i+1] = byte(v), byte(v>>8)
	}
}
