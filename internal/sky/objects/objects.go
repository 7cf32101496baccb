package objects

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"

	"github.com/pifinder-go/pifinder/internal/sky/constellation"
)

//go:generate go run ./gen -src ../../../../shared/catalog/objects -o objects.bin.gz

//go:embed objects.bin.gz
var embedded []byte

// Kind is what an object is.
type Kind uint8

// The kinds, after d3-celestial's type codes (in brackets).
const (
	Unknown           Kind = iota
	Galaxy                 // s, s0, e, i, g, sd: spiral, lenticular, elliptical, irregular, other, dwarf spheroidal
	GalaxyGroup            // gg
	OpenCluster            // oc
	GlobularCluster        // gc
	PlanetaryNebula        // pn
	BrightNebula           // bn
	EmissionNebula         // en
	ReflectionNebula       // rn
	DarkNebula             // dn
	SupernovaRemnant       // snr
	StarFormingRegion      // sfr
	Asterism               // pos: Messier's star cloud, double star and asterism
	Star
	Constellation
	// SolarSystem marks the Sun, Moon and planets (package planets). No
	// Object in All has it; package targets gives it to its body targets
	// so one kind filter covers both.
	SolarSystem
	numKinds
)

var kindNames = [numKinds]string{
	"unknown", "galaxy", "galaxy group", "open cluster", "globular cluster",
	"planetary nebula", "bright nebula", "emission nebula", "reflection nebula",
	"dark nebula", "supernova remnant", "star-forming region", "asterism",
	"star", "constellation", "solar system",
}

// String returns the kind in lower-case English ("open cluster").
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Kinds returns every defined kind except Unknown.
func Kinds() []Kind {
	out := make([]Kind, 0, numKinds-1)
	for k := Galaxy; k < numKinds; k++ {
		out = append(out, k)
	}
	return out
}

// KindCode maps a d3-celestial type code to a Kind (Unknown when the code
// is not one of the documented ones).
func KindCode(code string) Kind {
	switch code {
	case "s", "s0", "e", "i", "g", "sd":
		return Galaxy
	case "gg":
		return GalaxyGroup
	case "oc":
		return OpenCluster
	case "gc":
		return GlobularCluster
	case "pn":
		return PlanetaryNebula
	case "bn":
		return BrightNebula
	case "en":
		return EmissionNebula
	case "rn":
		return ReflectionNebula
	case "dn":
		return DarkNebula
	case "snr":
		return SupernovaRemnant
	case "sfr":
		return StarFormingRegion
	case "pos":
		return Asterism
	}
	return Unknown
}

// ParseKind reads a kind from user input: its English name in any case,
// a plural ("galaxies", "open clusters"), or a d3-celestial code ("gc").
func ParseKind(s string) (Kind, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(strings.ReplaceAll(s, "_", " "), "-", " ")
	for k := Galaxy; k < numKinds; k++ {
		n := strings.ReplaceAll(kindNames[k], "-", " ")
		if s == n || s == n+"s" || (strings.HasSuffix(n, "y") && s == n[:len(n)-1]+"ies") || (strings.HasSuffix(n, "a") && s == n+"e") {
			return k, true
		}
	}
	switch s {
	case "nebula", "nebulae", "nebulas":
		return BrightNebula, true
	case "cluster", "clusters":
		return OpenCluster, true
	case "planet", "planets", "solar system body", "solar system bodies":
		return SolarSystem, true
	}
	if k := KindCode(s); k != Unknown {
		return k, true
	}
	return Unknown, false
}

// Object is one catalogue entry. Designations and Names must be treated as
// read-only: they are shared by every caller of All.
type Object struct {
	// Designations: the primary first ("M 31"), then every cross id
	// ("NGC 224"), in the catalogue's spelling: catalogue prefix, one
	// space, number ("NGC 224", "IC 434", "C 20", "HIP 91262"); stars add
	// Bayer ("α Lyr") and Flamsteed ("3 Lyr") forms with the IAU
	// abbreviation.
	Designations []string
	// Names are common names, the best known first ("Andromeda Galaxy").
	Names []string
	Kind  Kind
	// Mag is the visual magnitude; NaN when unknown (dark nebulae).
	Mag float64
	// MajorArcmin, MinorArcmin: apparent size; 0 when unknown or a point.
	MajorArcmin, MinorArcmin float64
	// RA, Dec: J2000 (ICRS) in degrees, RA in [0, 360).
	RA, Dec float64
	// Constellation is the IAU abbreviation of the constellation holding
	// the position ("And"); for a constellation, itself.
	Constellation string
	// HIP is the Hipparcos number of a star, 0 otherwise.
	HIP int
}

// Primary returns the first designation.
func (o *Object) Primary() string {
	if len(o.Designations) == 0 {
		return ""
	}
	return o.Designations[0]
}

// Label returns the primary designation and the first name, the way a list
// shows an object ("M 31 Andromeda Galaxy", "Vega").
func (o *Object) Label() string {
	p := o.Primary()
	switch {
	case len(o.Names) == 0:
		return p
	case o.Kind == Star || o.Kind == Constellation:
		return o.Names[0]
	default:
		return p + " " + o.Names[0]
	}
}

// ErrFormat is returned for a catalogue that does not decode.
var ErrFormat = errors.New("objects: bad catalogue format")

const (
	magic      = "PFOB"
	version    = 1
	posScale   = 1e5 // units per degree (dividing keeps 90° exact)
	magUnit    = 0.01
	sizeUnit   = 0.1 // arcmin
	magUnknown = math.MinInt16
	maxStrings = 64
	maxObjects = 1 << 20
)

// Encode writes objs in the compact gzip-compressed form All decodes.
// Output depends only on objs (gzip header without name or time), so
// `go generate` is reproducible.
//
// Per object: uint8 kind; int32 RA and Dec in 1e-5°; int16 magnitude in
// 0.01 (−32768 unknown); uint16 major and minor size in 0.1′; uint8
// constellation index in constellation.All() order; uvarint HIP; uint8
// count + uvarint-length strings for designations, then names.
func Encode(w io.Writer, objs []Object) error {
	cons := constellation.All()
	ci := make(map[string]int, len(cons))
	for i, c := range cons {
		ci[c] = i
	}
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(version)
	b.Write(binary.AppendUvarint(nil, uint64(len(objs))))
	for i := range objs {
		o := &objs[i]
		c, ok := ci[o.Constellation]
		if !ok {
			return fmt.Errorf("objects: %s: unknown constellation %q", o.Primary(), o.Constellation)
		}
		if o.Kind == Unknown || o.Kind >= numKinds || len(o.Designations) == 0 ||
			len(o.Designations) > maxStrings || len(o.Names) > maxStrings {
			return fmt.Errorf("objects: %q: bad kind or designations", o.Primary())
		}
		if !(o.RA >= 0 && o.RA < 360 && math.Abs(o.Dec) <= 90) {
			return fmt.Errorf("objects: %s: position (%v, %v) out of range", o.Primary(), o.RA, o.Dec)
		}
		b.WriteByte(byte(o.Kind))
		ra := int32(math.Round(o.RA * posScale))
		if ra == 360*posScale { // 359.999996° rounds up to 360°
			ra = 0
		}
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(ra)))
		b.Write(binary.LittleEndian.AppendUint32(nil, uint32(int32(math.Round(o.Dec*posScale)))))
		m := int16(magUnknown)
		if !math.IsNaN(o.Mag) {
			m = int16(math.Round(math.Max(-300, math.Min(300, o.Mag)) / magUnit))
		}
		b.Write(binary.LittleEndian.AppendUint16(nil, uint16(m)))
		for _, s := range []float64{o.MajorArcmin, o.MinorArcmin} {
			b.Write(binary.LittleEndian.AppendUint16(nil, uint16(math.Round(math.Max(0, math.Min(6553, s))/sizeUnit))))
		}
		b.WriteByte(byte(c))
		b.Write(binary.AppendUvarint(nil, uint64(o.HIP)))
		for _, ss := range [][]string{o.Designations, o.Names} {
			b.WriteByte(byte(len(ss)))
			for _, s := range ss {
				b.Write(binary.AppendUvarint(nil, uint64(len(s))))
				b.WriteString(s)
			}
		}
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(b.Bytes()); err != nil {
		return fmt.Errorf("objects: compress: %w", err)
	}
	return zw.Close()
}

// Decode reads a catalogue written by Encode.
func Decode(r io.Reader) ([]Object, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	return decodeRaw(raw)
}

func decodeRaw(raw []byte) ([]Object, error) {
	cons := constellation.All()
	rd := bytes.NewReader(raw)
	hdr := make([]byte, len(magic)+1)
	if _, err := io.ReadFull(rd, hdr); err != nil || string(hdr[:4]) != magic || hdr[4] != version {
		return nil, fmt.Errorf("%w: bad magic or version", ErrFormat)
	}
	n, err := binary.ReadUvarint(rd)
	if err != nil || n > maxObjects {
		return nil, fmt.Errorf("%w: object count", ErrFormat)
	}
	objs := make([]Object, 0, min(n, uint64(rd.Len()/16)))
	var fixed [17]byte
	for i := range n {
		if _, err := io.ReadFull(rd, fixed[:]); err != nil {
			return nil, fmt.Errorf("%w: object %d truncated", ErrFormat, i)
		}
		var o Object
		o.Kind = Kind(fixed[0])
		o.RA = float64(int32(binary.LittleEndian.Uint32(fixed[1:]))) / posScale
		o.Dec = float64(int32(binary.LittleEndian.Uint32(fixed[5:]))) / posScale
		m := int16(binary.LittleEndian.Uint16(fixed[9:]))
		o.Mag = math.NaN()
		if m != magUnknown {
			o.Mag = float64(m) * magUnit
		}
		o.MajorArcmin = float64(binary.LittleEndian.Uint16(fixed[11:])) * sizeUnit
		o.MinorArcmin = float64(binary.LittleEndian.Uint16(fixed[13:])) * sizeUnit
		c := int(fixed[15])
		if o.Kind == Unknown || o.Kind >= numKinds || c >= len(cons) || !(o.RA >= 0 && o.RA < 360 && math.Abs(o.Dec) <= 90) {
			return nil, fmt.Errorf("%w: object %d: bad kind, constellation or position", ErrFormat, i)
		}
		o.Constellation = cons[c]
		if err := rd.UnreadByte(); err != nil { // fixed[16] is the first HIP byte
			return nil, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		hip, err := binary.ReadUvarint(rd)
		if err != nil || hip > 1<<30 {
			return nil, fmt.Errorf("%w: object %d: HIP", ErrFormat, i)
		}
		o.HIP = int(hip)
		for k, dst := range []*[]string{&o.Designations, &o.Names} {
			cnt, err := rd.ReadByte()
			if err != nil || cnt > maxStrings || (k == 0 && cnt == 0) {
				return nil, fmt.Errorf("%w: object %d: string count", ErrFormat, i)
			}
			ss := make([]string, cnt)
			for j := range ss {
				l, err := binary.ReadUvarint(rd)
				if err != nil || l > uint64(rd.Len()) || l > 1024 {
					return nil, fmt.Errorf("%w: object %d: string length", ErrFormat, i)
				}
				s := make([]byte, l)
				_, _ = io.ReadFull(rd, s)
				ss[j] = string(s)
			}
			*dst = ss
		}
		objs = append(objs, o)
	}
	if rd.Len() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrFormat, rd.Len())
	}
	return objs, nil
}

var all = sync.OnceValues(func() ([]Object, error) { return Decode(bytes.NewReader(embedded)) })

// All returns the embedded catalogue: the 110 Messier objects first (M 1
// to M 110), then the other deep-sky objects to magnitude 14, the named and
// designated stars (by HIP number), and the 88 constellations. The slice
// is decoded once and shared: do not modify it.
func All() ([]Object, error) { return all() }
