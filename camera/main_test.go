package camera

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// fakeSource returns pool frames after sleeping the exposure; hooks let a
// test block or fail captures.
type fakeSource struct {
	mu       sync.Mutex
	pool     *Pool
	calls    int
	settings []Settings
	block    chan struct{} // when set, Capture waits on it (ignoring ctx if stubborn)
	stubborn bool
	errs     []error // returned by successive calls before frames
	value    uint8
	typ      string
}

func newFakeSource() *fakeSource { return &fakeSource{pool: NewPool(64, 64), typ: "fake"} }

func (s *fakeSource) Capture(ctx context.Context, set Settings) (*Frame, error) {
	s.mu.Lock()
	s.calls++
	s.settings = append(s.settings, set)
	block, stubborn := s.block, s.stubborn
	var err error
	if len(s.errs) > 0 {
		err, s.errs = s.errs[0], s.errs[1:]
	}
	v := s.value
	s.mu.Unlock()
	if block != nil {
		if stubborn {
			<-block
		} else {
			select {
			case <-block:
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(time.Duration(set.ExposureUS) * time.Microsecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
	f := s.pool.Get()
	for i := range f.Gray.Pix {
		f.Gray.Pix[i] = v
	}
	f.Meta.ExposureUS, f.Meta.Gain, f.Meta.Source = set.ExposureUS, set.Gain, "fake"
	return f, nil
}

func (s *fakeSource) Info() Info   { return Info{Type: s.typ, Width: 64, Height: 64, DefaultGain: 1} }
func (s *fakeSource) Close() error { return nil }

func (s *fakeSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

var errBoom = errors.New("boom")

func (s *fakeSource) all() []Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Settings(nil), s.settings...)
}

func (s *fakeSource) lastSettings() Settings {
	a := s.all()
	if len(a) == 0 {
		return Settings{}
	}
	return a[len(a)-1]
}
