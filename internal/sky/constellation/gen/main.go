// Command gen converts the IAU constellation boundaries (GeoJSON from
// d3-celestial, J2000 vertices) and the constellation names CSV into the
// compact binary table the skymath package embeds.
//
// Format (little endian): "PFCB", version byte 1; uint8 name count, then per
// name the 3-byte abbreviation, uint8 length + name, uint8 length + genitive;
// uint8 polygon count, then per polygon the 3-byte abbreviation, uint16
// vertex count and the vertices as int32 pairs (RA in [0, 360) and Dec, in
// units of 1e-4 degree, the precision of the source). Rings are stored
// without the repeated closing vertex.
//
// Usage (see the go:generate line in constellation.go):
//
//	go run ./gen -bounds ../../../../shared/catalog/constellations.bounds.json \
//	    -names ../../../../shared/catalog/constellations.csv -o constellations.bin
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"
)

type featureCollection struct {
	Features []struct {
		ID       string `json:"id"`
		Geometry struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

type nameRow struct{ abbr, name, genitive string }

func main() {
	bounds := flag.String("bounds", "", "constellations.bounds.json (GeoJSON)")
	names := flag.String("names", "", "constellations.csv (abbr,name,genitive)")
	out := flag.String("o", "constellations.bin", "output file")
	flag.Parse()
	if err := run(*bounds, *names, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(boundsPath, namesPath, outPath string) error {
	if boundsPath == "" || namesPath == "" {
		return fmt.Errorf("both -bounds and -names are required")
	}
	rows, err := readNames(namesPath)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(boundsPath)
	if err != nil {
		return fmt.Errorf("read bounds: %w", err)
	}
	var fc featureCollection
	if err := json.Unmarshal(raw, &fc); err != nil {
		return fmt.Errorf("parse bounds %s: %w", boundsPath, err)
	}
	known := map[string]bool{}
	for _, r := range rows {
		known[r.abbr] = true
	}

	var b bytes.Buffer
	b.WriteString("PFCB")
	b.WriteByte(1)
	if len(rows) > 255 || len(fc.Features) > 255 {
		return fmt.Errorf("too many entries: %d names, %d polygons", len(rows), len(fc.Features))
	}
	b.WriteByte(byte(len(rows)))
	for _, r := range rows {
		if len(r.name) > 255 || len(r.genitive) > 255 {
			return fmt.Errorf("name too long for %s", r.abbr)
		}
		b.WriteString(r.abbr)
		b.WriteByte(byte(len(r.name)))
		b.WriteString(r.name)
		b.WriteByte(byte(len(r.genitive)))
		b.WriteString(r.genitive)
	}
	b.WriteByte(byte(len(fc.Features)))
	for _, f := range fc.Features {
		if !known[f.ID] || len(f.ID) != 3 {
			return fmt.Errorf("feature %q has no entry in %s", f.ID, namesPath)
		}
		if f.Geometry.Type != "Polygon" {
			return fmt.Errorf("feature %s: geometry %s, want Polygon", f.ID, f.Geometry.Type)
		}
		var rings [][][2]float64
		if err := json.Unmarshal(f.Geometry.Coordinates, &rings); err != nil {
			return fmt.Errorf("feature %s coordinates: %w", f.ID, err)
		}
		if len(rings) != 1 {
			return fmt.Errorf("feature %s: %d rings, want 1", f.ID, len(rings))
		}
		ring := rings[0]
		if n := len(ring); n > 1 && ring[0] == ring[n-1] {
			ring = ring[:n-1]
		}
		if len(ring) < 3 || len(ring) > math.MaxUint16 {
			return fmt.Errorf("feature %s: %d vertices", f.ID, len(ring))
		}
		b.WriteString(f.ID)
		_ = binary.Write(&b, binary.LittleEndian, uint16(len(ring)))
		for _, v := range ring {
			ra := math.Mod(v[0]+360, 360)
			if v[1] < -90 || v[1] > 90 {
				return fmt.Errorf("feature %s: dec %g out of range", f.ID, v[1])
			}
			_ = binary.Write(&b, binary.LittleEndian, [2]int32{int32(math.Round(ra * 1e4)), int32(math.Round(v[1] * 1e4))})
		}
	}
	if err := os.WriteFile(outPath, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", outPath, err)
	}
	fmt.Printf("gen: wrote %s: %d names, %d polygons, %d bytes\n", outPath, len(rows), len(fc.Features), b.Len())
	return nil
}

// readNames reads abbr,name,genitive rows. Serpens appears twice (Caput and
// Cauda); the two rows merge into one entry named by their common words.
func readNames(path string) ([]nameRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open names: %w", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse names %s: %w", path, err)
	}
	if len(recs) < 2 || strings.Join(recs[0], ",") != "abbr,name,genitive" {
		return nil, fmt.Errorf("names %s: want header abbr,name,genitive", path)
	}
	var rows []nameRow
	idx := map[string]int{}
	for _, r := range recs[1:] {
		if len(r[0]) != 3 {
			return nil, fmt.Errorf("names %s: bad abbreviation %q", path, r[0])
		}
		if i, ok := idx[r[0]]; ok {
			rows[i].name = commonWords(rows[i].name, r[1])
			continue
		}
		idx[r[0]] = len(rows)
		rows = append(rows, nameRow{r[0], r[1], r[2]})
	}
	return rows, nil
}

func commonWords(a, b string) string {
	wa, wb := strings.Fields(a), strings.Fields(b)
	var out []string
	for i := 0; i < len(wa) && i < len(wb) && wa[i] == wb[i]; i++ {
		out = append(out, wa[i])
	}
	if len(out) == 0 {
		return a
	}
	return strings.Join(out, " ")
}
