package wait

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tm := NewStoppedTimer()
		start := time.Now()
		if err := Sleep(context.Background(), tm, 3*time.Second); err != nil || time.Since(start) != 3*time.Second {
			t.Fatalf("Sleep = %v after %v, want nil after 3s", err, time.Since(start))
		}
		cause := errors.New("stop")
		ctx, cancel := context.WithCancelCause(context.Background())
		time.AfterFunc(time.Second, func() { cancel(cause) })
		start = time.Now()
		if err := Sleep(ctx, tm, time.Hour); !errors.Is(err, cause) || time.Since(start) != time.Second {
			t.Fatalf("cancelled Sleep = %v after %v, want the cause after 1s", err, time.Since(start))
		}
		if err := Sleep(ctx, tm, 0); !errors.Is(err, cause) {
			t.Fatalf("Sleep(0) on a done context = %v, want the cause", err)
		}
		if err := Sleep(context.Background(), tm, 0); err != nil {
			t.Fatalf("Sleep(0) = %v, want nil", err)
		}
	})
}
