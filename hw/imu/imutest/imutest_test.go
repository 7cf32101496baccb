package imutest_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rs/zerolog"
	"gonum.org/v1/gonum/num/quat"

	"github.com/pifinder-go/pifinder/hw/imu"
	"github.com/pifinder-go/pifinder/hw/imu/imutest"
	"github.com/pifinder-go/pifinder/state"
)

// The real IMU worker reads a scripted device that calibrates after a
// second; in fake time (testing/synctest), three seconds pass at once.
func TestDeviceDrivesTheWorker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := &imutest.Device{Script: func(n int, el time.Duration) (imu.Reading, error) {
			cal := 0
			if el >= time.Second {
				cal = 3
			}
			return imu.Reading{Quat: quat.Number{Real: 1}, GyroCal: cal}, nil
		}}
		st := state.New(state.Default())
		ctx, cancel := context.WithCancelCause(context.Background())
		owner := make(chan error, 1)
		go func() { owner <- st.Run(ctx) }()
		done := make(chan error, 1)
		go func() { done <- imu.Run(ctx, dev, st, zerolog.Nop(), imu.Options{}) }()
		time.Sleep(3 * time.Second)
		snap, _ := st.Snapshot(ctx)
		cancel(errors.New("done"))
		<-done
		<-owner
		if snap.IMU.Status != 3 || !snap.HasIMU || dev.Reads() < 88 {
			t.Fatalf("status %d (has %v) after %d reads, want calibrated after ~90", snap.IMU.Status, snap.HasIMU, dev.Reads())
		}
		if _, err := dev.Read(context.Background()); err != nil {
			t.Fatalf("read before close: %v", err)
		}
		dev.Close()
		if _, err := dev.Read(context.Background()); !errors.Is(err, imu.ErrNoDevice) {
			t.Fatalf("read after close = %v, want ErrNoDevice", err)
		}
	})
}
