// Command gen turns d3-celestial's constellations.lines.json (a GeoJSON
// FeatureCollection of MultiLineStrings, coordinates [RA in -180..180, Dec]
// in degrees) into lines.bin, the compact little-endian form package chart
// embeds:
//
//	"PFCL" magic, uint8 version (1), uint16 constellation count, then per
//	constellation (sorted by id): 3-byte IAU id, uint16 polyline count, and
//	per polyline: uint16 point count, then per point RA, Dec as int32 in
//	1e-5 degrees, RA normalised to [0, 360).
//
// Output is deterministic: features with the same id are merged in file
// order, constellations are sorted by id.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"sort"
)

type collection struct {
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string         `json:"type"`
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

func main() {
	in := flag.String("in", "", "constellations.lines.json")
	out := flag.String("out", "lines.bin", "output file")
	flag.Parse()
	if *in == "" {
		log.Fatal("gen: -in is required")
	}
	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	data, err := encode(raw)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func encode(raw []byte) ([]byte, error) {
	var fc collection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	byID := map[string][][][2]float64{}
	for _, f := range fc.Features {
		if len(f.ID) != 3 {
			return nil, fmt.Errorf("gen: bad constellation id %q", f.ID)
		}
		if f.Geometry.Type != "MultiLineString" {
			return nil, fmt.Errorf("gen: %s: geometry %q, want MultiLineString", f.ID, f.Geometry.Type)
		}
		byID[f.ID] = append(byID[f.ID], f.Geometry.Coordinates...)
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	var b bytes.Buffer
	b.WriteString("PFCL")
	b.WriteByte(1)
	le := binary.LittleEndian
	put16 := func(n int) error {
		if n > math.MaxUint16 {
			return fmt.Errorf("gen: count %d too large", n)
		}
		b.Write(le.AppendUint16(nil, uint16(n)))
		return nil
	}
	if err := put16(len(ids)); err != nil {
		return nil, err
	}
	for _, id := range ids {
		b.WriteString(id)
		lines := byID[id]
		if err := put16(len(lines)); err != nil {
			return nil, err
		}
		for _, ln := range lines {
			if err := put16(len(ln)); err != nil {
				return nil, err
			}
			for _, p := range ln {
				ra, dec := p[0], p[1]
				if math.IsNaN(ra) || math.IsNaN(dec) || dec < -90 || dec > 90 {
					return nil, fmt.Errorf("gen: %s: bad point %v", id, p)
				}
				ra = math.Mod(ra, 360)
				if ra < 0 {
					ra += 360
				}
				r := int32(math.Round(ra * 1e5))
				if r >= 360e5 {
					r -= 360e5
				}
				b.Write(le.AppendUint32(nil, uint32(r)))
				b.Write(le.AppendUint32(nil, uint32(int32(math.Round(dec*1e5)))))
			}
		}
	}
	return b.Bytes(), nil
}
