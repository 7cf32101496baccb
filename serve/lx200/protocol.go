package lx200

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/state"
)

// Command is one LX200 command: the letters after ':' (Name) and the rest up
// to '#' (Arg), e.g. ":Sr05:34:32#" is {Name: "Sr", Arg: "05:34:32"}. The
// Stellarium probe byte 0x06 is the command {Name: "ACK"}.
type Command struct {
	Name, Arg string
}

// DefaultMaxCommandLen bounds the bytes between ':' and '#'. The longest
// real command (":Sd+DD*MM:SS.S#") is well under it.
const DefaultMaxCommandLen = 64

const ack = 0x06

// maxNameLen bounds the letters of a command name (":GVP#" has three).
const maxNameLen = 4

// Scanner splits a byte stream into commands. Feed it every read: a command
// split across reads is completed by the next Feed. Bytes outside ":...#"
// are ignored, except 0x06 (the ACK probe). A command holding a control or
// non-ASCII byte (binary noise) is dropped, as is one longer than MaxLen; in
// both cases the rest of it up to its '#' is skipped. The zero Scanner uses
// DefaultMaxCommandLen.
type Scanner struct {
	MaxLen int

	buf  []byte
	in   bool // inside ":...#"
	skip bool // dropping a bad command up to its '#'
}

// Feed scans p and appends the complete commands to out.
func (s *Scanner) Feed(p []byte, out []Command) []Command {
	maxLen := s.MaxLen
	if maxLen <= 0 {
		maxLen = DefaultMaxCommandLen
	}
	for _, b := range p {
		switch {
		case s.skip:
			if b == '#' {
				s.skip = false
			}
		case !s.in:
			switch b {
			case ':':
				s.in, s.buf = true, s.buf[:0]
			case ack:
				out = append(out, Command{Name: "ACK"})
			}
		case b == '#':
			s.in = false
			if c, ok := splitCommand(s.buf); ok {
				out = append(out, c)
			}
		case (b < 0x20 || b > 0x7e) && b != 0xdf: // 0xDF is Meade's degree sign
			s.in, s.skip = false, true
			if b == ack {
				out = append(out, Command{Name: "ACK"})
			}
		case len(s.buf) >= maxLen:
			s.in, s.skip = false, true
		default:
			s.buf = append(s.buf, b)
		}
	}
	return out
}

// splitCommand splits a command body into its letters and its argument.
func splitCommand(b []byte) (Command, bool) {
	n := 0
	for n < len(b) && n < maxNameLen && isLetter(b[n]) {
		n++
	}
	if n == 0 {
		return Command{}, false
	}
	return Command{Name: string(b[:n]), Arg: string(b[n:])}, true
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

// Converter converts between J2000 and the true equator and equinox of date
// at instant t (degrees in, degrees out).
type Converter func(ra, dec float64, t time.Time) (float64, float64)

// Input is what a reply depends on besides the command and the session.
type Input struct {
	State state.State
	// Now is the instant of the JNow conversion: the state's datetime, or the
	// system clock when the state has none.
	Now      time.Time
	ToDate   Converter // J2000 → JNow
	FromDate Converter // JNow → J2000
	// Local is the system's instant (with its monotonic reading), to
	// measure the time between an app's :SL and :SC; zero: none elapsed.
	Local time.Time
}

// Result is the answer to one command: the bytes to send (empty for none)
// and what to give the state owner: a goto target, the app's site or
// time, or a sync (alignment) on a position.
type Result struct {
	Reply    string
	Target   *state.Target
	Site     *state.SetAppSite
	DateTime time.Time // UTC; zero for none
	Sync     *SyncRequest
}

// SyncRequest asks to align on a position (J2000 degrees): the client says
// the telescope points at it now (:CM# after :Sr/:Sd).
type SyncRequest struct {
	RA, Dec float64
	// NoTarget: no :Sr/:Sd target was sent on this connection, so there
	// is nothing to align on; the client still gets its answer.
	NoTarget bool
}

// Session is the per-connection protocol state: the RA of a pending goto,
// the last target (for :CM#), the app's UTC offset and its last local time
// and date (:SL and :SC arrive one at a time), and whether the client
// announced itself as Stellarium.
type Session struct {
	ra         float64
	hasRA      bool
	Stellarium bool

	target    SyncRequest
	hasTarget bool

	offsetH float64 // hours to add to local time to get UTC (:SG)
	tod     time.Duration
	todAt   time.Time // Input.Local when tod was given
	hasTOD  bool
	date    time.Time // midnight UTC of the local date (:SC)
	hasDate bool

	syncWhy string // why the last refused sync was refused, to log it once
}

// OffsetHours is the UTC offset the client set with :SG (0 until then).
func (s *Session) OffsetHours() float64 { return s.offsetH }

// localNow is the client's local time at in.Now.
func (s *Session) localNow(in Input) time.Time {
	return in.Now.UTC().Add(-time.Duration(s.offsetH * float64(time.Hour)))
}

// appTime combines a local date and time of day into UTC.
func (s *Session) appTime(date time.Time, tod time.Duration) time.Time {
	return date.Add(tod).Add(time.Duration(s.offsetH * float64(time.Hour))).UTC()
}

func midnight(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// NoPointing is the reply to :GR# and :GD# while there is no pointing (as
// PiFinder answers, reference test T17).
const NoPointing = "+00*00'01#"

// Fixed identification replies, as PiFinder sends them.
const (
	productName  = "PiFinder#"
	firmwareDate = "Jan 28 2026#"
	firmwareNum  = "01.0#"
	firmwareTime = "17:25:00#"
)

// Handle answers one command. It changes only the session.
func (s *Session) Handle(c Command, in Input) Result {
	switch c.Name {
	case "GR", "GD":
		p := in.State.Estimate.Aligned.Estimate
		if !p.Valid || in.ToDate == nil {
			return Result{Reply: NoPointing}
		}
		ra, dec := in.ToDate(p.RA, p.Dec, in.Now)
		if c.Name == "GR" {
			return Result{Reply: FormatRA(ra)}
		}
		return Result{Reply: FormatDec(dec)}
	case "GVP":
		return Result{Reply: productName}
	case "GVD":
		return Result{Reply: firmwareDate}
	case "GVN":
		return Result{Reply: firmwareNum}
	case "GVT":
		return Result{Reply: firmwareTime}
	case "GW":
		return Result{Reply: "AT1"} // alt-az, tracking, one-star aligned
	case "D":
		return Result{Reply: "\x7f#"}
	case "MS":
		return Result{Reply: "0"} // slew accepted; nothing moves
	case "St":
		lat, err := ParseLatitude(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		return Result{Reply: "1", Site: &state.SetAppSite{Lat: lat, HasLat: true}}
	case "Sg":
		lon, err := ParseLongitude(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		return Result{Reply: "1", Site: &state.SetAppSite{Lon: lon, HasLon: true}}
	case "SG":
		h, err := ParseUTCOffset(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		s.offsetH = h
		return Result{Reply: "1"}
	case "SL":
		tod, err := ParseLocalTime(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		s.tod, s.todAt, s.hasTOD = tod, in.Local, true
		date := midnight(s.localNow(in))
		if s.hasDate {
			date = s.date
		}
		return Result{Reply: "1", DateTime: s.appTime(date, tod)}
	case "SC":
		date, err := ParseDate(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		s.date, s.hasDate = date, true
		local := s.localNow(in)
		tod := local.Sub(midnight(local))
		if s.hasTOD {
			tod = s.tod
			if !s.todAt.IsZero() && !in.Local.IsZero() {
				tod += in.Local.Sub(s.todAt)
			}
		}
		return Result{Reply: dateReply, DateTime: s.appTime(date, tod)}
	case "Gt":
		return Result{Reply: FormatLatitude(in.State.Location.Lat)}
	case "Gg":
		return Result{Reply: FormatLongitude(in.State.Location.Lon)}
	case "GG":
		return Result{Reply: FormatUTCOffset(s.offsetH)}
	case "GL":
		return Result{Reply: s.localNow(in).Format("15:04:05") + "#"}
	case "GC":
		return Result{Reply: s.localNow(in).Format("01/02/06") + "#"}
	case "CM":
		// SkySafari's Align: the telescope points at the last target.
		if !s.hasTarget {
			return Result{Reply: syncReply, Sync: &SyncRequest{NoTarget: true}}
		}
		t := s.target
		return Result{Reply: syncReply, Sync: &t}
	case "Me", "Mn", "Ms", "Mw", "Q", "Qe", "Qn", "Qs", "Qw", "RS", "RM", "RC", "RG":
		// Motion, stop and rate commands a push-to finder gets from a
		// client set up for a goto mount: nothing moves, and Meade
		// answers none of them (LX200 Classic manual, Telescope Motion).
		return Result{}
	case "ACK":
		s.Stellarium = true
		return Result{Reply: "A"}
	case "Sr":
		ra, err := ParseRA(c.Arg)
		if err != nil {
			return Result{Reply: "0"}
		}
		s.ra, s.hasRA = ra, true
		return Result{Reply: "1"}
	case "Sd":
		dec, err := ParseDec(c.Arg)
		if err != nil || !s.hasRA {
			return Result{Reply: "0"}
		}
		ra := s.ra
		if !s.Stellarium {
			if in.FromDate == nil {
				return Result{Reply: "0"}
			}
			ra, dec = in.FromDate(ra, dec, in.Now)
		}
		ra = math.Mod(ra, 360)
		if ra < 0 {
			ra += 360
		}
		if !(ra >= 0 && ra < 360 && dec >= -90 && dec <= 90) {
			return Result{Reply: "0"}
		}
		s.target, s.hasTarget = SyncRequest{RA: ra, Dec: dec}, true
		return Result{Reply: "1", Target: &state.Target{RA: ra, Dec: dec, Source: "lx200"}}
	}
	// :U# and anything unknown get no reply.
	return Result{}
}

// FormatRA formats an RA in degrees as "HH:MM:SS#". The value is rounded to
// the second first, so 59.6 s carries into the minute and never reads 60.
func FormatRA(deg float64) string {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return NoPointing
	}
	deg = math.Mod(deg, 360)
	if deg < 0 {
		deg += 360
	}
	t := int64(math.Round(deg/15*3600)) % (24 * 3600)
	return fmt.Sprintf("%02d:%02d:%02d#", t/3600, t/60%60, t%60)
}

// FormatDec formats a declination in degrees as "sDD*MM'SS#". The sign is
// that of the value (so −0.39° reads "-00*23'24#"), except that a value that
// rounds to zero reads "+00*00'00#". Seconds are rounded before carrying.
func FormatDec(deg float64) string {
	if math.IsNaN(deg) || math.IsInf(deg, 0) {
		return NoPointing
	}
	t := int64(math.Round(math.Min(math.Abs(deg), 90) * 3600))
	sign := byte('+')
	if deg < 0 && t > 0 {
		sign = '-'
	}
	return fmt.Sprintf("%c%02d*%02d'%02d#", sign, t/3600, t/60%60, t%60)
}

// ParseRA parses the argument of :Sr: "HH:MM:SS" (seconds may have a
// fraction) or the low-precision "HH:MM.T", with an optional leading space.
// Two-digit hours and minutes are required. It returns degrees.
func ParseRA(s string) (float64, error) {
	f, err := parseSexagesimal(strings.TrimPrefix(s, " "), ":", 24)
	if err != nil {
		return 0, fmt.Errorf("lx200: RA %q: %w", s, err)
	}
	if f >= 24 {
		return 0, fmt.Errorf("lx200: RA %q: not below 24h", s)
	}
	return f * 15, nil
}

// ParseDec parses the argument of :Sd: "sDD*MM:SS", "sDD*MM'SS", "sDD:MM:SS"
// or the low-precision "sDD*MM" (the degree mark may also be Meade's 0xDF),
// with an optional leading space. The sign applies to the whole value, so
// "-00*30:00" is −0.5°. It returns degrees.
func ParseDec(s string) (float64, error) {
	body := strings.TrimPrefix(s, " ")
	neg := false
	if body != "" && (body[0] == '+' || body[0] == '-') {
		neg = body[0] == '-'
		body = body[1:]
	}
	f, err := parseSexagesimal(body, "*:'\xdf", 90)
	if err != nil {
		return 0, fmt.Errorf("lx200: Dec %q: %w", s, err)
	}
	if f > 90 {
		return 0, fmt.Errorf("lx200: Dec %q: beyond ±90°", s)
	}
	if neg {
		f = -f
	}
	return f, nil
}

// parseSexagesimal reads "AA<sep>BB<sep>CC[.f]" or "AA<sep>BB[.f]", where
// each <sep> is one byte of seps, AA and BB have exactly two digits, AA is at
// most maxUnit, and BB, CC are below 60. It returns AA + BB/60 + CC/3600.
func parseSexagesimal(s, seps string, maxUnit int) (float64, error) {
	two := func(s string) (int, bool) {
		if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	if len(s) < 5 || strings.IndexByte(seps, s[2]) < 0 {
		return 0, fmt.Errorf("want two-digit fields")
	}
	a, ok := two(s[:2])
	if !ok || a > maxUnit {
		return 0, fmt.Errorf("bad leading field")
	}
	rest := s[3:]
	if len(rest) > 2 && rest[2] == '.' { // low precision: BB.f minutes
		m, err := strconv.ParseFloat(rest, 64)
		if err != nil || rest[0] < '0' || rest[0] > '9' || !(m >= 0 && m < 60) {
			return 0, fmt.Errorf("bad minutes")
		}
		return float64(a) + m/60, nil
	}
	b, ok := two(rest[:min(2, len(rest))])
	if !ok || b >= 60 {
		return 0, fmt.Errorf("bad minutes")
	}
	rest = rest[2:]
	if rest == "" {
		return float64(a) + float64(b)/60, nil
	}
	if strings.IndexByte(seps, rest[0]) < 0 {
		return 0, fmt.Errorf("bad separator")
	}
	rest = rest[1:]
	if len(rest) < 2 || rest[0] < '0' || rest[0] > '9' || rest[1] < '0' || rest[1] > '9' ||
		(len(rest) > 2 && rest[2] != '.') {
		return 0, fmt.Errorf("bad seconds")
	}
	sec, err := strconv.ParseFloat(rest, 64)
	if err != nil || !(sec >= 0 && sec < 60) {
		return 0, fmt.Errorf("bad seconds")
	}
	return float64(a) + float64(b)/60 + sec/3600, nil
}
