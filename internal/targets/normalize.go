package targets

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pifinder-go/pifinder/internal/sky/constellation"
)

// greek spells the Bayer letters the way users type them; "alf", "bet" …
// (the three-letter forms of SIMBAD and Stellarium) are folded too.
var greek = []struct{ letter, name, short string }{
	{"α", "alpha", "alf"}, {"β", "beta", "bet"}, {"γ", "gamma", "gam"}, {"δ", "delta", "del"},
	{"ε", "epsilon", "eps"}, {"ζ", "zeta", "zet"}, {"η", "eta", "eta"}, {"θ", "theta", "tet"},
	{"ι", "iota", "iot"}, {"κ", "kappa", "kap"}, {"λ", "lambda", "lam"}, {"μ", "mu", "mu"},
	{"ν", "nu", "nu"}, {"ξ", "xi", "ksi"}, {"ο", "omicron", "omi"}, {"π", "pi", "pi"},
	{"ρ", "rho", "rho"}, {"σ", "sigma", "sig"}, {"τ", "tau", "tau"}, {"υ", "upsilon", "ups"},
	{"φ", "phi", "phi"}, {"χ", "chi", "chi"}, {"ψ", "psi", "psi"}, {"ω", "omega", "ome"},
}

var (
	greekLetter = map[rune]string{}
	greekWord   = map[string]string{} // "alf" → "alpha"; also "alpha" → "alpha"
	// constWord maps a constellation's Latin name or genitive, folded, to
	// its abbreviation folded ("lyrae" → "lyr"), so "alpha Lyrae" finds α Lyr.
	constWord = map[string]string{}
	// catalogueWord folds spelled-out catalogue names to the prefixes the
	// catalogue uses.
	catalogueWord = map[string]string{"messier": "m", "caldwell": "c", "collinder": "cr", "melotte": "mel"}
)

func init() {
	for _, g := range greek {
		r, _ := utf8.DecodeRuneInString(g.letter)
		greekLetter[r] = g.name
		greekWord[g.name] = g.name
		greekWord[g.short] = g.name
	}
	greekLetter['ϑ'] = "theta"
	greekLetter['ϕ'] = "phi"
	greekLetter['ς'] = "sigma"
	for _, abbr := range constellation.All() {
		name, gen, ok := constellation.Name(abbr)
		if !ok {
			continue
		}
		a := strings.ToLower(abbr)
		constWord[fold(name)] = a
		constWord[fold(gen)] = a
	}
}

// fold lower-cases s and keeps only letters and digits, with Latin
// accents dropped and Greek letters spelled out.
func fold(s string) string {
	var b strings.Builder
	for _, r := range s {
		r = unicode.ToLower(r)
		if n, ok := greekLetter[r]; ok {
			b.WriteString(n)
			continue
		}
		if a, ok := accents[r]; ok {
			r = a
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '⁰' && r <= '⁹' || r == '¹' || r == '²' || r == '³':
			b.WriteRune(superDigit(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var accents = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ø': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y',
}

func superDigit(r rune) rune {
	switch r {
	case '¹':
		return '1'
	case '²':
		return '2'
	case '³':
		return '3'
	}
	return '0' + (r - '⁰')
}

// maxQuery bounds the work a query can cause; longer input is cut.
const maxQuery = 128

// Normalize turns a user's spelling of a designation or name into the key
// the index uses: words are folded (lower case, accents and punctuation
// dropped, Greek letters spelled out), a Greek word in any common form
// ("alf", "α") becomes its full name, a spelled-out catalogue ("Messier",
// "Caldwell") its prefix, a constellation's Latin name or genitive
// ("Lyrae") its abbreviation, and the words are joined without spaces.
// So "M31", "m 31", "Messier 31" all give "m31", and "α Lyr", "alpha Lyr",
// "alf Lyrae" all give "alphalyr".
func Normalize(q string) string {
	if len(q) > maxQuery {
		q = q[:maxQuery]
	}
	words := strings.FieldsFunc(q, func(r rune) bool {
		return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' || r == ',' || r == '/'
	})
	var b strings.Builder
	prevStar := false // the previous word can start a Bayer or Flamsteed designation
	for i, w := range words {
		f := fold(w)
		// A Greek word may carry a component number: "alpha1", "alf2".
		base, digits := splitDigits(f)
		last := i == len(words)-1
		star := false
		if g, ok := greekWord[base]; ok && (!last || len(words) == 1) {
			f, star = g+digits, true
		} else if c, ok := catalogueWord[f]; ok && !last {
			f = c
		} else if c, ok := constWord[f]; ok && last && prevStar {
			f = c
		} else if base == "" || len(base) == 1 {
			star = true // "61", "g", "b3": Flamsteed number or Latin Bayer letter
		}
		prevStar = star
		b.WriteString(f)
	}
	return b.String()
}

func splitDigits(s string) (base, digits string) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	return s[:i], s[i:]
}
