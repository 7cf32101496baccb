package cli

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pifinder-go/pifinder/internal/sky/astro"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/targets"
)

const objectsSynopsis = "pifinder objects search|info [flags] ..."

const objectsAbout = `Finds objects in the built-in catalogue (20,707 deep-sky objects and
stars, the Sun, the Moon and the planets) and says where and when they are
up. Each subcommand takes --help:

  pifinder objects search [--type KIND] [--mag M] [--con CON] [--site LAT,LON --above] TEXT...
  pifinder objects info [--site LAT,LON[,ALT_M]] [--time RFC3339] NAME...
`

// Objects runs `objects search ...` or `objects info ...` with args after
// "objects" and returns the exit status: 0 done, 1 nothing found, 2 bad
// usage.
func Objects(args []string, stdout, stderr io.Writer) int {
	c := newCommand("objects", objectsSynopsis, objectsAbout)
	if len(args) == 0 {
		return c.usageError(stderr, "no subcommand given (want search or info)")
	}
	switch args[0] {
	case "search":
		return objectsSearch(args[1:], stdout, stderr)
	case "info":
		return objectsInfo(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		c.help(stdout)
		for _, sub := range []*command{searchCommand(new(skyFlags), new(searchFlags)), infoCommand(new(skyFlags))} {
			fmt.Fprintf(stdout, "\n%s\n\n", strings.Repeat("-", 72))
			sub.help(stdout)
		}
		return exitOK
	}
	if strings.HasPrefix(args[0], "-") {
		return c.usageError(stderr, "flag provided but not defined: %s (give it after search or info)", args[0])
	}
	return c.usageError(stderr, "unknown subcommand %q (want search or info)", args[0])
}

// parseInterspersed parses flags given before, between or after the
// words of a name ("objects info Jupiter --site 50.85,4.35"), which the
// flag package alone stops at; "--" ends the flags.
func parseInterspersed(c *command, args []string, stdout, stderr io.Writer) (words []string, code int, ok bool) {
	for {
		if code, ok := c.parse(args, stdout, stderr); !ok {
			return nil, code, false
		}
		rest := c.fs.Args()
		i := 0
		for i < len(rest) && (rest[i] == "-" || !strings.HasPrefix(rest[i], "-")) {
			i++
		}
		words = append(words, rest[:i]...)
		switch {
		case i == len(rest):
			return words, exitOK, true
		case rest[i] == "--":
			return append(words, rest[i+1:]...), exitOK, true
		}
		args = rest[i:]
	}
}

// skyFlags are the site and time of both subcommands.
type skyFlags struct {
	site, at string
}

func (f *skyFlags) register(c *command) {
	c.fs.StringVar(&f.site, "site", "", "observer site `LAT,LON[,ALT_M]` in degrees, east positive (for altitudes and rise/set)")
	c.fs.StringVar(&f.at, "time", "", "the instant, RFC 3339 such as 2026-12-24T20:00:00Z (default: now)")
}

// resolved is the parsed site and time.
type resolved struct {
	site      astro.Observer
	siteKnown bool
	at        time.Time
}

func (f *skyFlags) resolve(c *command, stderr io.Writer) (resolved, int, bool) {
	r := resolved{at: time.Now().UTC()}
	if f.at != "" {
		t, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return r, c.usageError(stderr, "--time %q: want RFC 3339, such as 2026-12-24T20:00:00Z", f.at), false
		}
		r.at = t.UTC()
	}
	if f.site != "" {
		s, err := parseSite(f.site)
		if err != nil {
			return r, c.usageError(stderr, "--site %q: %v", f.site, err), false
		}
		r.site, r.siteKnown = s, true
	}
	return r, 0, true
}

// parseSite reads LAT,LON[,ALT_M].
func parseSite(s string) (astro.Observer, error) {
	parts := strings.Split(s, ",")
	if len(parts) < 2 || len(parts) > 3 {
		return astro.Observer{}, errors.New("want LAT,LON or LAT,LON,ALT_M")
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return astro.Observer{}, fmt.Errorf("%q is not a number", p)
		}
		v[i] = f
	}
	switch {
	case v[0] < -90 || v[0] > 90:
		return astro.Observer{}, errors.New("latitude outside -90 to 90")
	case v[1] < -180 || v[1] > 360:
		return astro.Observer{}, errors.New("longitude outside -180 to 360")
	case v[2] < -500 || v[2] > 10000:
		return astro.Observer{}, errors.New("altitude outside -500 to 10000 m")
	}
	return astro.Observer{LatDeg: v[0], LonDeg: v[1], HeightM: v[2]}, nil
}

type searchFlags struct {
	kinds, con string
	mag        float64
	limit      int
	above      bool
}

const searchAbout = `Searches the catalogue for TEXT (a designation or name in any spelling:
"m 31", "NGC224", "andromeda", "alpha Lyr", "jupiter", or the start of one)
and lists the best matches first, with the constellation and magnitude,
and the altitude and azimuth now when --site is given. Without TEXT it lists
the brightest objects passing the filters. Exit status 0 when something is
found, 1 when nothing is, 2 for bad usage.
`

func searchCommand(sky *skyFlags, f *searchFlags) *command {
	c := newCommand("objects search", "pifinder objects search [flags] [TEXT...]", searchAbout)
	c.fs.StringVar(&f.kinds, "type", "", "keep only these `KINDS`, comma-separated (galaxy, open cluster, globular cluster, planetary nebula, nebula, star, planet...)")
	c.fs.Float64Var(&f.mag, "mag", math.NaN(), "keep objects of at most this magnitude (brighter)")
	c.fs.StringVar(&f.con, "con", "", "keep objects in this constellation (IAU abbreviation, such as UMa)")
	c.fs.BoolVar(&f.above, "above", false, "keep what is above the horizon at --time (needs --site)")
	c.fs.IntVar(&f.limit, "limit", 20, "list at most this many")
	sky.register(c)
	return c
}

func objectsSearch(args []string, stdout, stderr io.Writer) int {
	var sky skyFlags
	var f searchFlags
	c := searchCommand(&sky, &f)
	words, code, ok := parseInterspersed(c, args, stdout, stderr)
	if !ok {
		return code
	}
	r, code, ok := sky.resolve(c, stderr)
	if !ok {
		return code
	}
	if f.limit < 1 || f.limit > 1000 {
		return c.usageError(stderr, "--limit %d: want 1 to 1000", f.limit)
	}
	if f.above && !r.siteKnown {
		return c.usageError(stderr, "--above needs --site")
	}
	filter := targets.Filter{Constellation: f.con, AboveHorizon: f.above, Site: r.site, Time: r.at}
	if !math.IsNaN(f.mag) {
		filter.MaxMag = &f.mag
	}
	for _, k := range strings.Split(f.kinds, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		kind, ok := objects.ParseKind(k)
		if !ok {
			return c.usageError(stderr, "--type %q: not a kind of object", k)
		}
		filter.Kinds = append(filter.Kinds, kind)
	}
	cat, err := targets.Default()
	if err != nil {
		return c.fail(stderr, "catalogue", err)
	}
	text := strings.Join(words, " ")
	m, err := cat.Search(targets.Query{Text: text, Filter: filter, Limit: f.limit})
	if err != nil {
		return c.usageError(stderr, "%v", err)
	}
	if len(m) == 0 {
		fmt.Fprintf(stderr, "objects search: nothing matches %q\n", text)
		return exitFailure
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	header := "NAME\tKIND\tMAG\tCON\tRA (J2000)\tDEC"
	if r.siteKnown {
		header += "\tALT\tAZ"
	}
	fmt.Fprintln(tw, header)
	for _, x := range m {
		ra, dec, err := x.Target.Position(r.at, r.site)
		if err != nil {
			continue
		}
		con, _ := x.Target.Constellation(r.at, r.site)
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", x.Target.Name(), x.Target.Kind(), magText(x.Target.Mag()), con, hms(ra), dms(dec))
		if r.siteKnown {
			alt, az := astro.AltAz(ra, dec, r.site, r.at, astro.Weather{})
			line += fmt.Sprintf("\t%+.1f°\t%.1f°", alt, az)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	return exitOK
}

const infoAbout = `Describes the object NAME (any spelling search takes; the best exact
match): designations, names, kind, constellation, magnitude, size and
position, and with --site its altitude and azimuth at --time and its next
rise, transit and set (UTC; geometric altitudes, rise and set at the
almanac horizon). Exit status 0 when found, 1 when no object has that
name, 2 for bad usage.
`

func infoCommand(sky *skyFlags) *command {
	c := newCommand("objects info", "pifinder objects info [flags] NAME...", infoAbout)
	sky.register(c)
	return c
}

func objectsInfo(args []string, stdout, stderr io.Writer) int {
	var sky skyFlags
	c := infoCommand(&sky)
	words, code, ok := parseInterspersed(c, args, stdout, stderr)
	if !ok {
		return code
	}
	r, code, ok := sky.resolve(c, stderr)
	if !ok {
		return code
	}
	name := strings.Join(words, " ")
	if strings.TrimSpace(name) == "" {
		return c.usageError(stderr, "no object named")
	}
	cat, err := targets.Default()
	if err != nil {
		return c.fail(stderr, "catalogue", err)
	}
	tg, found := cat.Lookup(name)
	if !found {
		msg := fmt.Sprintf("objects info: no object is called %q", name)
		if m, err := cat.Search(targets.Query{Text: name, Limit: 5}); err == nil && len(m) > 0 {
			names := make([]string, len(m))
			for i, x := range m {
				names[i] = x.Target.Name()
			}
			msg += "; did you mean: " + strings.Join(names, ", ")
		}
		fmt.Fprintln(stderr, msg)
		return exitFailure
	}
	if err := writeInfo(stdout, tg, r); err != nil {
		return c.fail(stderr, name, err)
	}
	return exitOK
}

func writeInfo(w io.Writer, tg targets.Target, r resolved) error {
	ra, dec, err := tg.Position(r.at, r.site)
	if err != nil {
		return err
	}
	con, _ := tg.Constellation(r.at, r.site)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("name", "%s", tg.Name())
	if o := tg.Object(); o != nil {
		row("designations", "%s", strings.Join(o.Designations, ", "))
		if len(o.Names) > 0 {
			row("names", "%s", strings.Join(o.Names, ", "))
		}
		if o.MajorArcmin > 0 {
			if o.MinorArcmin > 0 && o.MinorArcmin != o.MajorArcmin {
				row("size", "%.1f′ × %.1f′", o.MajorArcmin, o.MinorArcmin)
			} else {
				row("size", "%.1f′", o.MajorArcmin)
			}
		}
	}
	row("kind", "%s", tg.Kind())
	row("constellation", "%s", con)
	row("magnitude", "%s", magText(tg.Mag()))
	where := "J2000"
	if !tg.Fixed() {
		where = "J2000 frame, astrometric, at " + r.at.Format(time.RFC3339)
	}
	row("position", "RA %s  Dec %s  (%.4f°, %+.4f°; %s)", hms(ra), dms(dec), ra, dec, where)
	if !r.siteKnown {
		tw.Flush()
		fmt.Fprintln(w, "(give --site LAT,LON for the altitude and rise, transit and set)")
		return nil
	}
	v, err := targets.RiseSet(tg, r.site, r.at)
	if err != nil {
		return err
	}
	row("at", "%s from %.4f°, %.4f°", r.at.Format(time.RFC3339), r.site.LatDeg, r.site.LonDeg)
	row("alt/az", "%+.1f° / %.1f°", v.AltDeg, v.AzDeg)
	event := func(t time.Time) string {
		if t.IsZero() {
			return "none in the next 24 h 50 min"
		}
		return t.Format("2006-01-02 15:04 UTC")
	}
	switch {
	case v.Circumpolar:
		row("rise/set", "circumpolar: never sets")
	case v.NeverRises:
		row("rise/set", "never rises")
	default:
		row("rise", "%s", event(v.Rise))
		row("set", "%s", event(v.Set))
	}
	if !v.Transit.IsZero() {
		row("transit", "%s at %+.1f°", event(v.Transit), v.TransitAltDeg)
	} else {
		row("transit", "%s", event(v.Transit))
	}
	return tw.Flush()
}

func magText(m float64) string {
	if math.IsNaN(m) {
		return "—"
	}
	return fmt.Sprintf("%.1f", m)
}

// hms formats an RA in degrees as hours, minutes, seconds.
func hms(deg float64) string {
	s := math.Round(deg/15*3600*10) / 10
	if s >= 24*3600 {
		s -= 24 * 3600
	}
	h := math.Floor(s / 3600)
	m := math.Floor((s - h*3600) / 60)
	return fmt.Sprintf("%02.0fh%02.0fm%04.1fs", h, m, s-h*3600-m*60)
}

// dms formats a Dec in degrees as signed degrees, minutes, seconds.
func dms(deg float64) string {
	sign := "+"
	if deg < 0 {
		sign, deg = "-", -deg
	}
	s := math.Round(deg * 3600)
	d := math.Floor(s / 3600)
	m := math.Floor((s - d*3600) / 60)
	return fmt.Sprintf("%s%02.0f°%02.0f′%02.0f″", sign, d, m, s-d*3600-m*60)
}
