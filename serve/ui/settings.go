package ui

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/hw/keypad"
	"github.com/pifinder-go/pifinder/serve/api"
	"github.com/pifinder-go/pifinder/state"
	"github.com/pifinder-go/pifinder/state/config"
)

// The settings rows.
const (
	setBrightness = iota
	setSleep
	setMount
	setLens
	setExposure
	setSite
	setTime
	setAbout
	setCount
)

// BrightnessStep is the change of one key press on the brightness row.
const BrightnessStep = 16

// exposureSteps are the exposures the settings screen offers (µs; 0 auto).
var exposureSteps = []int64{0, 100_000, 200_000, 400_000, 800_000, 1_000_000, 2_000_000}

// settingsScreen lists the live settings, the site and time entries and
// the version.
type settingsScreen struct{ sel int }

func (*settingsScreen) name() string { return "settings" }

func (s *settingsScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	dir := 0
	switch ev.Key {
	case keypad.KeyUp:
		s.sel = max(0, s.sel-1)
	case keypad.KeyDown:
		s.sel = min(setCount-1, s.sel+1)
	case keypad.KeyLeft:
		u.pop()
	case keypad.KeyRight, keypad.KeyPlus:
		dir = 1
	case keypad.KeyMinus:
		dir = -1
	default:
		if d, ok := ev.Key.Digit(); ok && d >= 1 && d <= setCount {
			s.sel = d - 1
		}
	}
	if dir == 0 {
		return nil
	}
	switch s.sel {
	case setSite:
		if ev.Key == keypad.KeyRight {
			u.push(&siteScreen{})
		}
		return nil
	case setTime:
		if ev.Key == keypad.KeyRight {
			u.push(&timeScreen{})
		}
		return nil
	case setAbout:
		if ev.Key == keypad.KeyRight {
			u.push(&aboutScreen{})
		}
		return nil
	}
	if u.cfg.Tuning == nil {
		u.say("not available")
		return nil
	}
	p, ok := change(u.cfg.Tuning.Settings(), s.sel, dir)
	if !ok {
		return nil
	}
	if _, err := u.cfg.Tuning.ApplySettings(ctx, p); err != nil {
		u.cfg.Log.Warn().Err(err).Msg("ui: setting refused")
		if errors.Is(err, api.ErrBadSetting) {
			u.say("refused")
		} else {
			u.say("not changed")
		}
	}
	return nil
}

// change returns the patch that moves row sel one step in dir.
func change(v api.SettingsView, sel, dir int) (api.SettingsPatch, bool) {
	var p api.SettingsPatch
	next := func(list []string, cur string) (string, bool) {
		if len(list) == 0 {
			return "", false
		}
		i := slices.Index(list, cur)
		if i < 0 {
			return list[0], true
		}
		return list[(i+dir+len(list))%len(list)], true
	}
	switch sel {
	case setBrightness:
		b := min(255, max(0, v.ScreenBrightness+dir*BrightnessStep))
		if b == v.ScreenBrightness {
			return p, false
		}
		p.ScreenBrightness = &b
	case setSleep:
		s, ok := next(v.Choices.SleepTimeout, v.SleepTimeout)
		if !ok {
			return p, false
		}
		p.SleepTimeout = &s
	case setMount:
		m, ok := next(v.Choices.Mount, v.Mount)
		if !ok {
			return p, false
		}
		p.Mount = &m
	case setLens:
		l, ok := next(v.Choices.Lens, v.Lens)
		if !ok {
			return p, false
		}
		p.Lens = &l
	case setExposure:
		cur := int64(0)
		if !v.Exposure.Auto {
			cur = v.Exposure.US
		}
		i := slices.Index(exposureSteps, cur)
		if i < 0 {
			i = 0
			for j, e := range exposureSteps {
				if e <= cur {
					i = j
				}
			}
		} else {
			i = (i + dir + len(exposureSteps)) % len(exposureSteps)
		}
		e := config.Exposure{Auto: exposureSteps[i] == 0, US: exposureSteps[i]}
		p.Exposure = &e
	default:
		return p, false
	}
	return p, true
}

func fmtExposure(e config.Exposure) string {
	if e.Auto {
		return "auto"
	}
	return fmt.Sprintf("%g ms", float64(e.US)/1000)
}

func (s *settingsScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("Settings", "")
	na := "n/a"
	var v api.SettingsView
	if u.cfg.Tuning != nil {
		v = u.cfg.Tuning.Settings()
	}
	val := func(f func() string) string {
		if u.cfg.Tuning == nil {
			return na
		}
		return f()
	}
	site := "none"
	if l := st.Location; l.Source != "" && l.Source != "None" {
		site = fmt.Sprintf("%.1f %.1f", l.Lat, l.Lon)
	}
	clock := "unset"
	if t, ok := u.localTime(st); ok {
		clock = t.Format("15:04")
	}
	rows := []string{
		"Bright " + val(func() string { return strconv.Itoa(v.ScreenBrightness) }),
		"Sleep  " + val(func() string { return v.SleepTimeout }),
		"Mount  " + val(func() string { return v.Mount }),
		"Lens   " + val(func() string { return v.Lens }),
		"Expo   " + val(func() string { return fmtExposure(v.Exposure) }),
		"Site   " + site,
		"Time   " + clock,
		"About",
	}
	c.list(rows, s.sel, 0)
	if u.cfg.Tuning == nil && s.sel < setSite && c.rows() > len(rows) {
		c.line(c.rows()-1, "not available", colDim)
	}
}

// siteScreen enters the site by keypad: latitude ±DD.DDDD, longitude
// ±DDD.DDDD (east positive); digits fill the template, PLUS and MINUS set
// the sign, UP/DOWN switch field, LEFT erases (or leaves when empty),
// RIGHT sets it.
type siteScreen struct {
	field  int // 0 lat, 1 lon
	digits [2]string
	neg    [2]bool
	msg    string
}

var siteWidth = [2]int{2, 3} // integer digits of lat and lon
const siteDecimals = 4

func (*siteScreen) name() string { return "site" }

func (s *siteScreen) value(f int) (float64, bool) {
	d := s.digits[f]
	if len(d) != siteWidth[f]+siteDecimals {
		return 0, false
	}
	n, err := strconv.Atoi(d)
	if err != nil {
		return 0, false
	}
	v := float64(n) / math.Pow10(siteDecimals)
	if s.neg[f] {
		v = -v
	}
	return v, true
}

func (s *siteScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyLeft:
		if s.digits[s.field] != "" {
			s.digits[s.field] = s.digits[s.field][:len(s.digits[s.field])-1]
		} else {
			u.pop()
		}
	case keypad.KeyUp, keypad.KeyDown:
		s.field = 1 - s.field
	case keypad.KeyPlus:
		s.neg[s.field] = false
	case keypad.KeyMinus:
		s.neg[s.field] = true
	case keypad.KeyRight, keypad.KeySquare:
		return s.confirm(ctx, u)
	default:
		if d, ok := ev.Key.Digit(); ok && ev.Kind == keypad.Press {
			if len(s.digits[s.field]) < siteWidth[s.field]+siteDecimals {
				s.digits[s.field] += strconv.Itoa(d)
			}
			if len(s.digits[s.field]) == siteWidth[s.field]+siteDecimals && s.field == 0 {
				s.field = 1
			}
		}
	}
	s.msg = ""
	return nil
}

func (s *siteScreen) confirm(ctx context.Context, u *UI) error {
	lat, ok1 := s.value(0)
	lon, ok2 := s.value(1)
	switch {
	case !ok1 || !ok2:
		s.msg = "enter all digits"
		return nil
	case lat < -90 || lat > 90:
		s.msg = "lat > 90°"
		return nil
	case lon < -180 || lon > 180:
		s.msg = "lon > 180°"
		return nil
	}
	st, err := u.cfg.Store.Snapshot(ctx)
	if err != nil {
		return err
	}
	loc := state.Location{Lat: lat, Lon: lon, AltitudeM: st.Location.AltitudeM, Source: "MANUAL", Lock: true, LockType: 3,
		Timezone: st.Location.Timezone, LastGPSLock: st.Location.LastGPSLock}
	if err := u.cfg.Store.Update(ctx, state.SetLocation{Location: loc}); err != nil {
		return fmt.Errorf("ui: set site: %w", err)
	}
	u.cfg.Log.Info().Float64("lat", lat).Float64("lon", lon).Msg("ui: site set")
	u.say("site set")
	u.pop()
	return nil
}

// template shows a field's digits in its ±DD.DDDD form, "_" for missing.
func template(neg bool, digits string, width int) string {
	d := digits + strings.Repeat("_", width+siteDecimals-len(digits))
	sign := "+"
	if neg {
		sign = "-"
	}
	return sign + d[:width] + "." + d[width:] + "°"
}

func (s *siteScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("Site", "")
	for f, label := range []string{"Lat", "Lon"} {
		col := colDim
		mark := " "
		if f == s.field {
			col, mark = colRed, ">"
		}
		c.line(f*2, mark+label, col)
		c.big(12, lineY(f*2+1)-2, template(s.neg[f], s.digits[f], siteWidth[f]), col)
	}
	msg := s.msg
	if msg == "" {
		msg = "+/- sign, > set"
	}
	c.line(c.rows()-1, msg, colDim)
}

// timeScreen enters the UTC time HH:MM; the date stays the clock's.
type timeScreen struct {
	digits string
	msg    string
}

func (*timeScreen) name() string { return "time" }

func (s *timeScreen) key(ctx context.Context, u *UI, ev keypad.Event) error {
	switch ev.Key {
	case keypad.KeyLeft:
		if s.digits != "" {
			s.digits = s.digits[:len(s.digits)-1]
		} else {
			u.pop()
		}
	case keypad.KeyRight, keypad.KeySquare:
		return s.confirm(ctx, u)
	default:
		if d, ok := ev.Key.Digit(); ok && ev.Kind == keypad.Press && len(s.digits) < 4 {
			s.digits += strconv.Itoa(d)
		}
	}
	s.msg = ""
	return nil
}

func (s *timeScreen) confirm(ctx context.Context, u *UI) error {
	if len(s.digits) != 4 {
		s.msg = "enter HH MM"
		return nil
	}
	h, _ := strconv.Atoi(s.digits[:2])
	m, _ := strconv.Atoi(s.digits[2:])
	if h > 23 || m > 59 {
		s.msg = "bad time"
		return nil
	}
	st, err := u.cfg.Store.Snapshot(ctx)
	if err != nil {
		return err
	}
	day, ok := st.Clock.At(u.cfg.Now())
	if !ok {
		day = u.cfg.Now()
	}
	day = day.UTC()
	t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, time.UTC)
	if err := u.cfg.Store.Update(ctx, state.SetDateTime{Time: t, Force: true, Source: state.TimeManual}); err != nil {
		return fmt.Errorf("ui: set time: %w", err)
	}
	u.cfg.Log.Info().Time("time", t).Msg("ui: time set")
	u.say("time set")
	u.pop()
	return nil
}

func (s *timeScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("Time (UTC)", "")
	d := s.digits + strings.Repeat("_", 4-len(s.digits))
	c.big((c.w-5*bigW)/2, lineY(1), d[:2]+":"+d[2:], colRed)
	if t, ok := st.Clock.At(u.cfg.Now()); ok {
		c.line(3, "now "+t.UTC().Format("15:04:05"), colDim)
	}
	msg := s.msg
	if msg == "" {
		msg = "HH MM, > set"
	}
	c.line(c.rows()-1, msg, colDim)
}

// aboutScreen shows the version.
type aboutScreen struct{}

func (*aboutScreen) name() string { return "about" }

func (*aboutScreen) key(_ context.Context, u *UI, ev keypad.Event) error {
	if ev.Key == keypad.KeyLeft {
		u.pop()
	}
	return nil
}

func (*aboutScreen) draw(u *UI, c *canvas, st state.State) {
	c.title("About", "")
	v := u.cfg.Version
	if v == "" {
		v = "devel"
	}
	c.line(0, "pifinder-go", colRed)
	c.line(1, v, colMid)
	c.line(2, fmt.Sprintf("screen %dx%d", c.w, c.h), colDim)
	c.line(4, "fonts: X11 7x13,", colDim)
	c.line(5, "Inconsolata", colDim)
}
