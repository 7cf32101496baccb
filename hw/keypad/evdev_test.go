package keypad

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

// rec is one recorded input event at ms milliseconds.
type rec struct {
	ms    int64
	code  uint16
	value int32
}

const evSyn = 0

func encode(size int, evs []rec) []byte {
	var b bytes.Buffer
	for _, e := range evs {
		sec, usec := e.ms/1000, (e.ms%1000)*1000
		put := func(typ, code uint16, value int32) {
			if size == 24 {
				binary.Write(&b, binary.LittleEndian, []int64{1700000000 + sec, usec})
			} else {
				binary.Write(&b, binary.LittleEndian, []int32{int32(1700000000 + sec), int32(usec)})
			}
			binary.Write(&b, binary.LittleEndian, typ)
			binary.Write(&b, binary.LittleEndian, code)
			binary.Write(&b, binary.LittleEndian, value)
		}
		put(4, 4, 0x70028) // EV_MSC/MSC_SCAN noise, ignored
		put(evKey, e.code, e.value)
		put(evSyn, 0, 0)
	}
	return b.Bytes()
}

func TestParseEvent(t *testing.T) {
	for _, size := range []int{16, 24} {
		b := encode(size, []rec{{1500, 103, 1}})
		ev, err := ParseEvent(b[size : 2*size])
		if err != nil {
			t.Fatal(err)
		}
		want := RawEvent{Time: time.Unix(1700000001, 500e6), Type: evKey, Code: 103, Value: 1}
		if !ev.Time.Equal(want.Time) || ev.Type != want.Type || ev.Code != want.Code || ev.Value != want.Value {
			t.Errorf("size %d: %+v, want %+v", size, ev, want)
		}
	}
	for _, bad := range [][]byte{nil, make([]byte, 23), append(make([]byte, 8), 0x40, 0x42, 0x0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)} {
		if _, err := ParseEvent(bad); err == nil {
			t.Errorf("ParseEvent(% x): no error", bad)
		}
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add(encode(24, []rec{{0, 28, 1}})[24:48])
	f.Add(encode(16, []rec{{999, 108, 2}})[16:32])
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseEvent(b)
		if err != nil {
			return
		}
		if len(b) != 16 && len(b) != 24 {
			t.Fatalf("parsed %d bytes", len(b))
		}
		if ns := ev.Time.Nanosecond(); ns%1000 != 0 {
			t.Fatalf("time %v not whole µs", ev.Time)
		}
	})
}

func TestEvdevFromRecording(t *testing.T) {
	tests := []struct {
		name string
		evs  []rec
		want []string
	}{
		{"digits and keypad", []rec{{0, 2, 1}, {80, 2, 0}, {200, 82, 1}, {260, 82, 0}, {300, 78, 1}, {350, 78, 0}, {400, 74, 1}, {450, 74, 0}},
			[]string{"1", "0", "plus", "minus"}},
		{"enter is square", []rec{{0, 28, 1}, {100, 28, 0}}, []string{"square"}},
		{"chord space+left", []rec{{0, 57, 1}, {100, 105, 1}, {200, 105, 0}, {300, 57, 0}}, []string{"square+left"}},
		// Auto-repeat events (value 2) every 33 ms after 250 ms drive the
		// hold timing: a Long once past 1 s.
		{"long right", append(autorepeat(106, 0, 1400), rec{1400, 106, 0}), []string{"right/long"}},
		{"repeat down", append(autorepeat(108, 0, 1150), rec{1150, 108, 0}), []string{"down/repeat", "down/repeat", "down/repeat"}},
		{"unmapped keys ignored", []rec{{0, 30, 1}, {50, 30, 0}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			e := NewEvdev(t.Context(), r, EventSize, zerolog.Nop())
			go func() {
				w.Write(encode(EventSize, tt.evs))
				w.Close()
			}()
			var got []string
			for ev := range e.Events() {
				got = append(got, ev.String())
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func autorepeat(code uint16, from, to int64) []rec {
	evs := []rec{{from, code, 1}}
	for ms := from + 250; ms < to; ms += 33 {
		evs = append(evs, rec{ms, code, 2})
	}
	return evs
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
func (errReader) Close() error             { return nil }

func TestEvdevErrors(t *testing.T) {
	e := NewEvdev(t.Context(), errReader{}, EventSize, zerolog.Nop())
	for range e.Events() {
	}
	if err := e.Close(); err == nil {
		t.Error("read error not returned")
	}
	if _, err := OpenEvdev(t.Context(), "/nonexistent/event0", zerolog.Nop()); err == nil {
		t.Error("OpenEvdev of a missing file: no error")
	}
	// Close while blocked in Read ends the goroutine (goleak checks).
	r, w, _ := os.Pipe()
	defer w.Close()
	e = NewEvdev(t.Context(), r, EventSize, zerolog.Nop())
	if err := e.Close(); err != nil {
		t.Error(err)
	}
}
