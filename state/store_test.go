package state

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// start runs a store's owner for the duration of the test.
func start(t *testing.T, init State) (*Store, context.CancelFunc) {
	t.Helper()
	st := New(init)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = st.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return st, cancel
}

func TestUpdateSnapshot(t *testing.T) {
	st, _ := start(t, Default())
	ctx := context.Background()
	if err := st.Update(ctx, SetPower{Power: Asleep}); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, SetPower{Power: 2}); !errors.Is(err, ErrRejected) {
		t.Fatalf("power 2: err %v, want ErrRejected", err)
	}
	s, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Power != Asleep || s.Version != 1 {
		t.Errorf("power %v version %d, want asleep, 1", s.Power, s.Version)
	}
}

func TestOwnerEndCausesEveryCallToFail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault Fault
	}{
		{"panic", Fault{Panic: true, Err: errors.New("boom")}},
		{"error", Fault{Err: errors.New("bad")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				st := New(Default())
				errc := make(chan error, 1)
				go func() { errc <- st.Run(context.Background()) }()
				ctx := context.Background()
				sub, err := st.Subscribe(ctx)
				if err != nil {
					t.Fatal(err)
				}
				<-sub.C()
				if err := st.Update(ctx, tc.fault); err != nil {
					t.Fatalf("fault not acknowledged: %v", err)
				}
				runErr := <-errc
				if !errors.Is(runErr, ErrOwnerGone) {
					t.Fatalf("Run returned %v, want ErrOwnerGone", runErr)
				}
				var pe *PanicError
				if tc.fault.Panic != errors.As(runErr, &pe) {
					t.Errorf("panic error %v for fault %+v", runErr, tc.fault)
				}
				// Every call returns the cause at once, none blocks.
				if _, err := st.Snapshot(ctx); !errors.Is(err, ErrOwnerGone) {
					t.Errorf("Snapshot: %v", err)
				}
				if err := st.Update(ctx, SetPower{Power: Awake}); !errors.Is(err, ErrOwnerGone) {
					t.Errorf("Update: %v", err)
				}
				if _, err := st.Subscribe(ctx); !errors.Is(err, ErrOwnerGone) {
					t.Errorf("Subscribe: %v", err)
				}
				sub.Close()
				if !errors.Is(st.Err(), ErrOwnerGone) {
					t.Errorf("Err: %v", st.Err())
				}
				synctest.Wait()
			})
		})
	}
}

func TestAcknowledgedUpdatesSurviveStop(t *testing.T) {
	st := New(Default())
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- st.Run(ctx) }()
	for i := 1; i <= 100; i++ {
		if err := st.Update(context.Background(), SetTarget{Target: Target{RA: float64(i), Dec: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	<-errc
	final, ok := st.Final()
	if !ok || final.Target.RA != 100 || final.Target.Seq != 100 {
		t.Fatalf("final target %+v ok=%v, want RA 100 seq 100", final.Target, ok)
	}
}

func TestSlowSubscriberNeverStallsOwner(t *testing.T) {
	st, _ := start(t, Default())
	ctx := context.Background()
	stuck, err := st.Subscribe(ctx) // never read
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	for i := 0; i < 10000; i++ {
		if err := st.Update(ctx, SetIMU{Sample: ImuSample{Status: 3}}); err != nil {
			t.Fatal(err)
		}
	}
	latest := <-stuck.C()
	if latest.Stats.IMUSamples != 10000 {
		t.Errorf("subscriber holds %d samples, want the latest (10000)", latest.Stats.IMUSamples)
	}
}

// Frame metadata is one value: concurrent writers and readers never see a
// sequence number paired with another frame's fields.
func TestFrameMetadataNeverMismatched(t *testing.T) {
	st, _ := start(t, Default())
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				seq := uint64(w*1000 + i)
				meta := FrameMeta{Seq: seq, Name: fmt.Sprint(seq), ExposureUS: int64(seq), Width: 512, Height: 512}
				if err := st.Update(ctx, SetFrame{Meta: meta}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	sub, err := st.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for i := 0; i < 2000; i++ {
			s, err := st.Snapshot(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			check(t, s.Frame)
			select {
			case s := <-sub.C():
				check(t, s.Frame)
			default:
			}
		}
	}()
	wg.Wait()
	<-readerDone
	s, _ := st.Snapshot(ctx)
	if s.Stats.Frames != 2000 {
		t.Errorf("frames %d, want 2000", s.Stats.Frames)
	}
}

func check(t *testing.T, m FrameMeta) {
	if m.Name == "" {
		return
	}
	if m.Name != fmt.Sprint(m.Seq) || m.ExposureUS != int64(m.Seq) {
		t.Errorf("mismatched frame metadata %+v", m)
	}
}

func TestCallsHonourContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := New(Default()) // owner never started
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := st.Snapshot(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Snapshot on a never-started owner: %v", err)
		}
	})
}
