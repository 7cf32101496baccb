// Command gen encodes hip8.csv into the binary catalogue embedded by package
// catalog (run by go generate in that package).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/pifinder-go/pifinder/internal/sky/starcat"
)

func main() {
	in := flag.String("catalog", "", "hip8.csv to encode")
	out := flag.String("o", "hip8.bin.gz", "output file")
	flag.Parse()
	stars, err := starcat.Load(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	var buf bytes.Buffer
	if err := starcat.Encode(&buf, stars); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("gen: %d stars, %d bytes -> %s\n", len(stars), buf.Len(), *out)
}
