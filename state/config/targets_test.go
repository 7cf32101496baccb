package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTargetSettings(t *testing.T) {
	many := make([]string, 12)
	for i := range many {
		many[i] = fmt.Sprintf(`{"name": "t%d", "ra_deg": %d, "dec_deg": 1}`, i, i)
	}
	for _, tc := range []struct {
		name, in string
		mount    string
		recent   []RecentTarget
		invalid  string // substring of the ErrInvalid message; "" for none
	}{
		{"defaults", `{}`, "altaz", []RecentTarget{}, ""},
		{"eq spelled short", `{"mount_type": "EQ"}`, "equatorial", []RecentTarget{}, ""},
		{"dobsonian", `{"mount_type": "dobsonian"}`, "altaz", []RecentTarget{}, ""},
		{"unknown mount", `{"mount_type": "fork"}`, "altaz", []RecentTarget{}, "mount_type"},
		{"recent kept", `{"recent_targets": [{"name": "M 51 Whirlpool Galaxy", "ra_deg": 202.4696, "dec_deg": 47.1952}]}`, "altaz",
			[]RecentTarget{{Name: "M 51 Whirlpool Galaxy", RA: 202.4696, Dec: 47.1952}}, ""},
		{"recent out of range dropped", `{"recent_targets": [{"name": "a", "ra_deg": 360, "dec_deg": 0}, {"name": "b", "ra_deg": 1, "dec_deg": -91}, {"name": "c", "ra_deg": 1, "dec_deg": 2}]}`, "altaz",
			[]RecentTarget{{Name: "c", RA: 1, Dec: 2}}, "recent_targets[1]"},
		{"too many recent", `{"recent_targets": [` + strings.Join(many, ",") + `]}`, "altaz", nil, "more than 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.in))
			switch {
			case tc.invalid == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tc.invalid != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.invalid)):
				t.Fatalf("Parse: %v, want ErrInvalid naming %s", err, tc.invalid)
			}
			if c.MountType != tc.mount {
				t.Errorf("mount %q, want %q", c.MountType, tc.mount)
			}
			if tc.recent != nil {
				if diff := cmp.Diff(tc.recent, c.RecentTargets); diff != "" {
					t.Errorf("recent (-want +got):\n%s", diff)
				}
			} else if len(c.RecentTargets) != 10 || c.RecentTargets[0].Name != "t0" {
				t.Errorf("recent %v, want the 10 newest", c.RecentTargets)
			}
			// What is written reads back the same.
			b, err := Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(b)
			if err != nil || !cmp.Equal(c, back) {
				t.Errorf("round trip: %v\n%s", err, cmp.Diff(c, back))
			}
		})
	}
}
