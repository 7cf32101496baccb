// Command gen turns the truncated VSOP87B and ELP/MPP02 coefficient tables
// of ../shared/catalog/objects (taken from the npm package astronomia 4.2.0,
// MIT) into the compact binary table package planets embeds.
//
// Format (little endian, lossless: every coefficient is the float64 the CSV
// text parses to):
//
//	"PFPL", version byte 1
//	VSOP87B: uint16 series count; per series uint8 planet (0 Mercury ..
//	  7 Neptune, Earth is 2), uint8 variable (0 L, 1 B, 2 R), uint8 power,
//	  uint16 term count, then per term A, B, C as float64
//	ELP/MPP02: 5 float64 W1 coefficients (radians, T⁰..T⁴); uint16 series
//	  count; per series uint8 variable, uint8 power, uint16 term count, then
//	  per term A, phi0..phi4 as float64
//
// Series appear in the order of first appearance in the CSV and terms in
// CSV order, so the output is a pure function of the input files.
//
// Usage (see the go:generate line in package planets):
//
//	go run ./gen -vsop ../../../../shared/catalog/objects/vsop87b-truncated.csv \
//	    -elp ../../../../shared/catalog/objects/elpmpp02-truncated.csv \
//	    -w1 ../../../../shared/catalog/objects/elpmpp02-W1.json -o planets.bin
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
)

var planetIndex = map[string]uint8{
	"mercury": 0, "venus": 1, "earth": 2, "mars": 3,
	"jupiter": 4, "saturn": 5, "uranus": 6, "neptune": 7,
}

var varIndex = map[string]uint8{"L": 0, "B": 1, "R": 2}

func main() {
	vsop := flag.String("vsop", "", "vsop87b-truncated.csv")
	elp := flag.String("elp", "", "elpmpp02-truncated.csv")
	w1 := flag.String("w1", "", "elpmpp02-W1.json")
	out := flag.String("o", "planets.bin", "output file")
	flag.Parse()
	b, err := Build(*vsop, *elp, *w1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: %d bytes -> %s\n", len(b), *out)
}

type key struct{ a, b, c uint8 }

type group struct {
	k     key
	terms [][]float64
}

// groups collects rows into series keyed by their leading columns, keeping
// the order of first appearance.
type groups struct {
	order []*group
	byKey map[key]*group
}

func (g *groups) add(k key, vals []float64) {
	if g.byKey == nil {
		g.byKey = map[key]*group{}
	}
	gr, ok := g.byKey[k]
	if !ok {
		gr = &group{k: k}
		g.byKey[k] = gr
		g.order = append(g.order, gr)
	}
	gr.terms = append(gr.terms, vals)
}

// Build reads the three source files and returns the encoded table.
func Build(vsopPath, elpPath, w1Path string) ([]byte, error) {
	if vsopPath == "" || elpPath == "" || w1Path == "" {
		return nil, fmt.Errorf("-vsop, -elp and -w1 are all required")
	}
	var vs, es groups
	if err := readCSV(vsopPath, 6, func(rec []string, line int) error {
		p, ok := planetIndex[rec[0]]
		if !ok {
			return fmt.Errorf("unknown planet %q", rec[0])
		}
		v, ok := varIndex[rec[1]]
		if !ok {
			return fmt.Errorf("unknown variable %q", rec[1])
		}
		pw, err := strconv.ParseUint(rec[2], 10, 8)
		if err != nil {
			return fmt.Errorf("power: %w", err)
		}
		f, err := floats(rec[3:])
		if err != nil {
			return err
		}
		vs.add(key{p, v, uint8(pw)}, f)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := readCSV(elpPath, 8, func(rec []string, line int) error {
		v, ok := varIndex[rec[0]]
		if !ok {
			return fmt.Errorf("unknown variable %q", rec[0])
		}
		pw, err := strconv.ParseUint(rec[1], 10, 8)
		if err != nil {
			return fmt.Errorf("power: %w", err)
		}
		f, err := floats(rec[2:])
		if err != nil {
			return err
		}
		es.add(key{v, uint8(pw), 0}, f)
		return nil
	}); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(w1Path)
	if err != nil {
		return nil, err
	}
	var w struct{ W1 []float64 }
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("%s: %w", w1Path, err)
	}
	if len(w.W1) != 5 {
		return nil, fmt.Errorf("%s: want 5 W1 coefficients, got %d", w1Path, len(w.W1))
	}

	var buf bytes.Buffer
	buf.WriteString("PFPL")
	buf.WriteByte(1)
	put := func(v any) { _ = binary.Write(&buf, binary.LittleEndian, v) }
	put(uint16(len(vs.order)))
	for _, g := range vs.order {
		buf.Write([]byte{g.k.a, g.k.b, g.k.c})
		put(uint16(len(g.terms)))
		for _, t := range g.terms {
			put(t)
		}
	}
	put(w.W1)
	put(uint16(len(es.order)))
	for _, g := range es.order {
		buf.Write([]byte{g.k.a, g.k.b})
		put(uint16(len(g.terms)))
		for _, t := range g.terms {
			put(t)
		}
	}
	return buf.Bytes(), nil
}

func floats(s []string) ([]float64, error) {
	out := make([]float64, len(s))
	for i, v := range s {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("bad number %q", v)
		}
		out[i] = f
	}
	return out, nil
}

func readCSV(path string, cols int, row func([]string, int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = cols
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("%s: header: %w", path, err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := row(rec, line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
}
