package ui

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/state"
)

// statusScreen is the home screen: where the telescope points.
type statusScreen struct{}

func (*statusScreen) name() string { return "status" }

func (*statusScreen) key(_ context.Context, u *UI, ev keypad.Event) error {
	if ev.Kind == keypad.Press && (ev.Key == keypad.KeyRight || ev.Key == keypad.KeySquare) {
		u.push(&menuScreen{})
	}
	return nil
}

func (*statusScreen) draw(u *UI, c *canvas, st state.State) {
	clock := "--:--:--"
	if t, ok := u.localTime(st); ok {
		clock = t.Format("15:04:05")
		if z := t.Format("MST"); c.cols() >= 22 {
			clock += " " + z
		}
	}
	c.title("PiFinder", clock)
	e := st.Estimate
	i := 0
	if p := e.Aligned.Estimate; e.HasPointing() && p.Valid {
		c.line(i, "RA  "+fmtRA(p.RA), colRed)
		c.line(i+1, "Dec "+fmtDec(p.Dec), colRed)
		i += 2
		if e.HasAltAz {
			c.line(i, fmt.Sprintf("Alt %.1f° Az %.1f°", e.Alt, e.Az), colMid)
		} else {
			c.line(i, "Alt/Az: no site", colDim)
		}
		i++
		c.line(i, fmt.Sprintf("%-3s %-4s %d stars", orDash(e.Constellation), sourceName(e.Source), e.Diag.Matches), colMid)
		i++
	} else {
		c.line(i+1, "  no solve yet", colRed)
		if e.Diag.Status != "" {
			c.line(i+2, "  "+e.Diag.Status, colDim)
		}
		i += 4
	}
	for _, l := range wrap("GPS "+st.GPS.String(), c.cols(), 2) {
		c.line(i, l, colDim)
		i++
	}
	if st.HasTarget {
		c.line(i, "> "+st.Target.Name, colDim)
		i++
	}
	if i < c.rows() {
		c.line(c.rows()-1, fmt.Sprintf("%s  time %s", strings.ToLower(st.Power.String()), timeSource(st.Clock.Source())), colDim)
	}
}

func orDash(s string) string {
	if s == "" {
		return "---"
	}
	return s
}

func sourceName(s state.SolveSource) string {
	switch s {
	case state.SourceCamera:
		return "CAM"
	case state.SourceIMU:
		return "IMU"
	case state.SourceCamFailed:
		return "FAIL"
	}
	return "--"
}

// fmtRA formats RA degrees as hh:mm:ss.
func fmtRA(deg float64) string {
	s := int(math.Round(math.Mod(deg/15*3600, 86400)))
	if s < 0 {
		s += 86400
	}
	s %= 86400
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

// fmtDec formats Dec degrees as ±dd°mm′.
func fmtDec(deg float64) string {
	sign := '+'
	if deg < 0 {
		sign, deg = '-', -deg
	}
	m := int(math.Round(deg * 60))
	return fmt.Sprintf("%c%02d°%02d′", sign, m/60, m%60)
}

// menuScreen is the main menu.
type menuScreen struct{ sel int }

var menuItems = []string{"Targets", "Current target", "Chart", "Align", "Settings", "Status"}

func (*menuScreen) name() string { return "menu" }

// menuKey moves the selection of a numbered menu of n rows (UP, DOWN, a
// digit), goes back on LEFT, and reports whether RIGHT chose the row.
func menuKey(u *UI, ev keypad.Event, sel *int, n int) (chosen bool) {
	switch ev.Key {
	case keypad.KeyUp:
		*sel = max(0, *sel-1)
	case keypad.KeyDown:
		*sel = min(n-1, *sel+1)
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeyRight:
		return true
	default:
		if d, ok := ev.Key.Digit(); ok && d >= 1 && d <= n {
			*sel = d - 1
		}
	}
	return false
}

// drawMenu draws a numbered menu under its title.
func drawMenu(c *canvas, title string, items []string, sel int) {
	c.title(title, "")
	rows := make([]string, len(items))
	for i, s := range items {
		rows[i] = fmt.Sprintf("%d %s", i+1, s)
	}
	c.list(rows, sel, 0)
}

func (m *menuScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	if menuKey(u, ev, &m.sel, len(menuItems)) {
		switch m.sel {
		case 0:
			u.push(&targetsScreen{})
		case 1:
			return u.openCurrentTarget(ctx)
		case 2:
			u.push(&chartScreen{fov: defaultChartFOV})
		case 3:
			u.push(&alignScreen{sel: -1})
		case 4:
			u.push(&settingsScreen{})
		case 5:
			u.home()
		}
	}
	return nil
}

func (m *menuScreen) draw(u *UI, c *canvas, st state.State) {
	drawMenu(c, "Menu", menuItems, m.sel)
}

// timeSource names who set the clock, briefly.
func timeSource(s state.TimeSource) string {
	switch s {
	case state.TimeNone:
		return "unset"
	case state.TimeSystem:
		return "sys?"
	case state.TimeGPS:
		return "GPS"
	case state.TimeApp:
		return "app"
	case state.TimeManual:
		return "manual"
	}
	return strings.ToLower(string(s))
}

// wrap breaks s at spaces into at most n lines of cols runes; the last
// line is cut with "…" when the text does not fit.
func wrap(s string, cols, n int) []string {
	var lines []string
	for s != "" && len(lines) < n {
		r := []rune(s)
		if len(r) <= cols || len(lines) == n-1 {
			lines = append(lines, fit(s, cols))
			break
		}
		cut := strings.LastIndex(string(r[:cols+1]), " ")
		if cut <= 0 {
			cut = len(string(r[:cols]))
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = "  " + strings.TrimLeft(s[cut:], " ")
	}
	return lines
}
