package replay_test

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"

	"github.com/pifinder-go/pifinder/camera"
	"github.com/pifinder-go/pifinder/camera/replay"
)

// Replaying a folder of frames: each capture returns the current file at
// the solve size.
func Example() {
	dir, _ := os.MkdirTemp("", "replay")
	defer os.RemoveAll(dir)
	f, _ := os.Create(filepath.Join(dir, "frame.png"))
	_ = png.Encode(f, image.NewGray(image.Rect(0, 0, 1024, 768)))
	f.Close()

	cam, err := replay.New(replay.Config{Path: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cam.Close()
	fr, err := cam.Capture(context.Background(), camera.Settings{ExposureUS: 1000, Gain: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer fr.Release()
	fmt.Println(len(cam.Files()), "file,", fr.Gray.Rect.Dx(), "px square")
	// Output: 1 file, 512 px square
}
