package obslog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pifinder-go/pifinder/internal/obslog"
)

func Example() {
	dir, _ := os.MkdirTemp("", "obslog-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	l, err := obslog.Open(filepath.Join(dir, "obslog.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()

	// "Observed": the HTTP handler fills this from the state snapshot.
	e, err := l.Add(ctx, obslog.Entry{
		Time:     time.Date(2025, 6, 28, 4, 30, 0, 0, time.UTC),
		Target:   obslog.Target{Name: "M 13", Designations: []string{"M 13", "NGC 6205"}, RA: 250.423, Dec: 36.461, HasPosition: true},
		Site:     obslog.Site{Lat: 41.13, Lon: -120.97, AltM: 1315, Source: "gps"},
		Pointing: obslog.Pointing{RA: 250.41, Dec: 36.47, Source: "solve"},
		Stars:    21,
		Notes:    "resolved to the core",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("added", e.ID, e.Target.Name)

	entries, _ := l.List(ctx, obslog.Filter{Target: "ngc6205"})
	fmt.Println("found", len(entries))

	if err := l.ExportSkylist(ctx, os.Stdout, obslog.Filter{}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// added 1 M 13
	// found 1
	// SkySafariObservingListVersion=3.0
	// SkyObject=BeginObject
	// 	ObjectID=4,-1,-1
	// 	CatalogNumber=M 13
	// 	CatalogNumber=NGC 6205
	// 	DefaultIndex=0
	// 	DateObserved=2.460854687500000e+06
	// 	Comment=resolved to the core
	// 	EndObjectRA=16.694866667
	// 	EndObjectDec=36.461000000
	// EndObject=SkyObject
}

func ExampleParseList() {
	csv := "name,ra,dec\nM 42,05:35:17.3,-05:23:28\nM 31,,\n"
	tl, err := obslog.ParseList(strings.NewReader(csv), "winter")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range tl.Items {
		fmt.Printf("%s %v %.4f %.4f\n", it.Target.Name, it.Target.HasPosition, it.Target.RA, it.Target.Dec)
	}

	_, err = obslog.ParseList(strings.NewReader("name,ra,dec\nM 42,25:00:00,0\n"), "bad")
	fmt.Println(err)
	// Output:
	// M 42 true 83.8221 -5.3911
	// M 31 false 0.0000 0.0000
	// import list "bad" (csv): line 2: invalid: right ascension "25:00:00": 25 hours is not below 24
}
