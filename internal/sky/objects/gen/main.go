// Command gen builds the object catalogue package objects embeds, from the
// d3-celestial 0.7.35 files in ../shared/catalog/objects (BSD-3-Clause,
// © 2015 Olaf Frohn) and the Hipparcos stars of package starcat:
//
//   - messier.json: the 110 Messier objects with their NGC/IC cross id and
//     common name; they replace the "M n" entries of dsos.14.json.
//   - dsos.14.json: the other deep-sky objects to magnitude 14.
//   - dsonames.json: proper names, joined by designation (also through the
//     Messier and Caldwell cross ids, so M 31 gets "Andromeda Galaxy").
//   - The Caldwell numbers (Moore 1995) as a table of cross ids below, as
//     listed in PiFinder's astro_data/caldwell.dat; the three Caldwell
//     objects without an NGC/IC number are in dsos.14.json as "C n".
//   - starnames.json: proper names, Bayer and Flamsteed letters and
//     variable-star names by HIP number, joined to starcat.Embedded() for
//     the position and V magnitude (stars missing there are skipped).
//   - constellations.json: the 88 constellations at their label position.
//
// The output is a pure function of those inputs (objects in a fixed order,
// map keys sorted), so `go generate` reproduces the committed file.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pifinder-go/pifinder/internal/sky/constellation"
	"github.com/pifinder-go/pifinder/internal/sky/objects"
	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

// caldwell lists the NGC/IC object of each Caldwell number (PiFinder
// astro_data/caldwell.dat; "NGC 869/884" and similar pairs are given by
// their first member). C 9, C 41 and C 99 are absent: they have no NGC/IC
// number and appear in dsos.14.json under their Caldwell designation.
const caldwell = `1 NGC 188|2 NGC 40|3 NGC 4236|4 NGC 7023|5 IC 342|6 NGC 6543|7 NGC 2403|8 NGC 559|10 NGC 663|11 NGC 7635|` +
	`12 NGC 6946|13 NGC 457|14 NGC 869|15 NGC 6826|16 NGC 7243|17 NGC 147|18 NGC 185|19 IC 5146|20 NGC 7000|` +
	`21 NGC 4449|22 NGC 7662|23 NGC 891|24 NGC 1275|25 NGC 2419|26 NGC 4244|27 NGC 6888|28 NGC 752|29 NGC 5005|` +
	`30 NGC 7331|31 IC 405|32 NGC 4631|33 NGC 6992|34 NGC 6960|35 NGC 4889|36 NGC 4559|37 NGC 6885|38 NGC 4565|` +
	`39 NGC 2392|40 NGC 3626|42 NGC 7006|43 NGC 7814|44 NGC 7479|45 NGC 5248|46 NGC 2261|47 NGC 6934|48 NGC 2775|` +
	`49 NGC 2237|50 NGC 2244|51 IC 1613|52 NGC 4697|53 NGC 3115|54 NGC 2506|55 NGC 7009|56 NGC 246|57 NGC 6822|` +
	`58 NGC 2360|59 NGC 3242|60 NGC 4038|61 NGC 4039|62 NGC 247|63 NGC 7293|64 NGC 2362|65 NGC 253|66 NGC 5694|` +
	`67 NGC 1097|68 NGC 6729|69 NGC 6302|70 NGC 300|71 NGC 2477|72 NGC 55|73 NGC 1851|74 NGC 3132|75 NGC 6124|` +
	`76 NGC 6231|77 NGC 5128|78 NGC 6541|79 NGC 3201|80 NGC 5139|81 NGC 6352|82 NGC 6193|83 NGC 4945|84 NGC 5286|` +
	`85 IC 2391|86 NGC 6397|87 NGC 1261|88 NGC 5823|89 NGC 6087|90 NGC 2867|91 NGC 3532|92 NGC 3372|93 NGC 6752|` +
	`94 NGC 4755|95 NGC 6025|96 NGC 2516|97 NGC 3766|98 NGC 4609|100 IC 2944|101 NGC 6744|102 IC 2602|103 NGC 2070|` +
	`104 NGC 362|105 NGC 4833|106 NGC 104|107 NGC 6101|108 NGC 4372|109 NGC 3195`

func main() {
	src := flag.String("src", "", "directory holding the d3-celestial object files")
	out := flag.String("o", "objects.bin.gz", "output file")
	flag.Parse()
	objs, missing, err := build(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	if err := objects.Encode(&buf, objs); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: %d objects (%s), %d bytes -> %s\n", len(objs), missing, buf.Len(), *out)
}

type point struct {
	Coordinates [2]float64 `json:"coordinates"`
}

type feature[P any] struct {
	ID         string `json:"id"`
	Properties P      `json:"properties"`
	Geometry   point  `json:"geometry"`
}

type collection[P any] struct {
	Features []feature[P] `json:"features"`
}

type messierProps struct {
	Name, Desig, Alt, Type, Dim string
	Mag                         float64
}

type dsoProps struct {
	Desig, Type, Mag, Dim string
}

type starProps struct {
	Name, Bayer, Flam, Var, C string
}

type constProps struct {
	Name, Desig, Gen string
}

func readJSON(dir, name string, v any) error {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func build(dir string) ([]objects.Object, string, error) {
	if dir == "" {
		return nil, "", fmt.Errorf("-src is required")
	}
	var (
		messier collection[messierProps]
		dsos    collection[dsoProps]
		cons    collection[constProps]
		names   map[string]struct{ Name string }
		stars   map[string]starProps
	)
	for _, f := range []struct {
		name string
		v    any
	}{{"messier.json", &messier}, {"dsos.14.json", &dsos}, {"constellations.json", &cons},
		{"dsonames.json", &names}, {"starnames.json", &stars}} {
		if err := readJSON(dir, f.name, f.v); err != nil {
			return nil, "", err
		}
	}
	cald := map[string]string{} // "NGC 188" → "C 1"
	for _, e := range strings.Split(caldwell, "|") {
		n, d, ok := strings.Cut(e, " ")
		if !ok {
			return nil, "", fmt.Errorf("bad Caldwell entry %q", e)
		}
		cald[d] = "C " + n
	}

	var objs []objects.Object
	// add finishes an object: Caldwell cross id, proper names, constellation.
	add := func(o objects.Object) {
		for _, d := range slices.Clone(o.Designations) {
			if c, ok := cald[d]; ok && !slices.Contains(o.Designations, c) {
				o.Designations = append(o.Designations, c)
				delete(cald, d)
			}
		}
		// Proper names in designation order, then the entry's own: the
		// primary's name leads ("Whirlpool Galaxy" of NGC 5194 for M 51),
		// not a companion's (NGC 5195, M 51's second cross id, has a name
		// of its own).
		var named []string
		for _, d := range o.Designations {
			if n := strings.TrimSpace(names[d].Name); n != "" && !slices.Contains(named, n) {
				named = append(named, n)
			}
		}
		for _, n := range o.Names {
			if !slices.Contains(named, n) {
				named = append(named, n)
			}
		}
		o.Names = named
		if o.Constellation == "" {
			o.Constellation = constellation.At(o.RA, o.Dec)
		}
		objs = append(objs, o)
	}

	if len(messier.Features) != 110 {
		return nil, "", fmt.Errorf("messier.json has %d objects, want 110", len(messier.Features))
	}
	slices.SortFunc(messier.Features, func(a, b feature[messierProps]) int {
		return messierNumber(a.Properties.Name) - messierNumber(b.Properties.Name)
	})
	for _, f := range messier.Features {
		p := f.Properties
		n := messierNumber(p.Name)
		if n == 0 {
			return nil, "", fmt.Errorf("messier.json: bad name %q", p.Name)
		}
		o := base(f.Geometry.Coordinates, objects.KindCode(p.Type), p.Mag, p.Dim)
		o.Designations = []string{fmt.Sprintf("M %d", n)}
		o.Designations = append(o.Designations, crossIDs(p.Desig)...)
		if a := strings.TrimSpace(p.Alt); a != "" {
			o.Names = []string{strings.ReplaceAll(a, "´", "'")}
		}
		add(o)
	}

	var skipped int
	for _, f := range dsos.Features {
		p := f.Properties
		if strings.HasPrefix(p.Desig, "M ") {
			continue // the Messier entry above holds it, with its cross id
		}
		k := objects.KindCode(p.Type)
		if k == objects.Unknown {
			return nil, "", fmt.Errorf("dsos.14.json: %s: unknown type %q", p.Desig, p.Type)
		}
		mag, err := strconv.ParseFloat(p.Mag, 64)
		if err != nil {
			return nil, "", fmt.Errorf("dsos.14.json: %s: magnitude %q", p.Desig, p.Mag)
		}
		if mag >= 99 { // 999: no magnitude (dark nebulae)
			mag = math.NaN()
		}
		if strings.TrimSpace(p.Desig) == "" || !(math.Abs(f.Geometry.Coordinates[1]) <= 90) {
			// Two SNR entries carry their size in the Dec field; an
			// object without a designation cannot be searched for.
			skipped++
			continue
		}
		o := base(f.Geometry.Coordinates, k, mag, p.Dim)
		o.Designations = []string{strings.TrimSpace(p.Desig)}
		add(o)
	}

	cat, err := starcat.Embedded()
	if err != nil {
		return nil, "", err
	}
	hip := make(map[int]starcat.Star, len(cat))
	for _, s := range cat {
		hip[s.HIP] = s
	}
	keys := make([]int, 0, len(stars))
	for k := range stars {
		n, err := strconv.Atoi(k)
		if err != nil {
			return nil, "", fmt.Errorf("starnames.json: key %q is not a HIP number", k)
		}
		keys = append(keys, n)
	}
	slices.Sort(keys)
	var noHip, ncons int
	for _, h := range keys {
		p := stars[strconv.Itoa(h)]
		s, ok := hip[h]
		if !ok {
			noHip++
			continue
		}
		o := objects.Object{Kind: objects.Star, RA: s.RA, Dec: s.Dec, Mag: s.Vmag, HIP: h}
		o.Constellation = p.C
		if _, _, ok := constellation.Name(p.C); !ok {
			// A few entries carry a number in "c"; the boundaries decide.
			o.Constellation = constellation.At(s.RA, s.Dec)
		}
		c := o.Constellation
		if b := strings.TrimSpace(p.Bayer); b != "" && !strings.HasPrefix(b, "undefined") {
			o.Designations = append(o.Designations, b+" "+c)
		}
		if fl := strings.TrimSpace(p.Flam); fl != "" {
			o.Designations = append(o.Designations, fl+" "+c)
		}
		if v := strings.TrimSpace(p.Var); v != "" {
			o.Designations = append(o.Designations, v+" "+c)
		}
		o.Designations = append(o.Designations, fmt.Sprintf("HIP %d", h))
		if n := strings.TrimSpace(p.Name); n != "" {
			o.Names = []string{n}
		}
		add(o)
	}

	slices.SortStableFunc(cons.Features, func(a, b feature[constProps]) int { return strings.Compare(a.ID, b.ID) })
	for i := 0; i < len(cons.Features); {
		// Serpens has two labels (Caput, Cauda) under one abbreviation:
		// one object at the first label, named by both.
		j := i + 1
		for j < len(cons.Features) && cons.Features[j].ID == cons.Features[i].ID {
			j++
		}
		f := cons.Features[i]
		abbr := f.ID
		name, gen, ok := constellation.Name(abbr)
		if !ok {
			return nil, "", fmt.Errorf("constellations.json: unknown abbreviation %q", abbr)
		}
		o := base(f.Geometry.Coordinates, objects.Constellation, math.NaN(), "")
		o.Designations = []string{abbr}
		o.Names = []string{name}
		for _, g := range cons.Features[i:j] {
			if n := g.Properties.Name; !slices.Contains(o.Names, n) {
				o.Names = append(o.Names, n)
			}
		}
		if gen != "" && !slices.Contains(o.Names, gen) {
			o.Names = append(o.Names, gen)
		}
		o.Constellation = abbr
		add(o)
		ncons++
		i = j
	}
	if ncons != 88 {
		return nil, "", fmt.Errorf("constellations.json has %d constellations, want 88", ncons)
	}
	left := make([]string, 0, len(cald))
	for d, c := range cald {
		left = append(left, c+"="+d)
	}
	slices.Sort(left)
	return objs, fmt.Sprintf("%d stars without a Hipparcos entry, %d DSOs without a designation or a valid Dec skipped, Caldwell ids not joined: %v", noHip, skipped, left), nil
}

func messierNumber(s string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "M"))
	if err != nil || n < 1 || n > 110 {
		return 0
	}
	return n
}

// base fills position, kind, magnitude and size; RA given in −180..180 is
// wrapped to [0, 360).
func base(c [2]float64, k objects.Kind, mag float64, dim string) objects.Object {
	ra := math.Mod(c[0], 360)
	if ra < 0 {
		ra += 360
	}
	o := objects.Object{Kind: k, RA: ra, Dec: c[1], Mag: mag}
	a, b, _ := strings.Cut(strings.TrimSpace(dim), "x")
	o.MajorArcmin, _ = strconv.ParseFloat(strings.TrimSpace(a), 64)
	o.MinorArcmin, _ = strconv.ParseFloat(strings.TrimSpace(b), 64)
	if o.MinorArcmin == 0 {
		o.MinorArcmin = o.MajorArcmin
	}
	return o
}

// crossIDs splits a Messier cross id that names a pair: "NGC 5194/5" is
// NGC 5194 and NGC 5195 (the second number abbreviates its trailing digits).
func crossIDs(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	first, second, ok := strings.Cut(s, "/")
	if !ok {
		return []string{s}
	}
	i := strings.LastIndexByte(first, ' ')
	num := first[i+1:]
	if _, err := strconv.Atoi(second); err != nil || len(second) > len(num) {
		return []string{first}
	}
	return []string{first, first[:i+1] + num[:len(num)-len(second)] + second}
}
