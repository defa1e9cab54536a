package store

import (
	"testing"
	"time"
)

// A drill covers a record of its units made in [Start, End); a drill
// called off before it began (End at Start) covers nothing and meets no
// bundle's validity; a filter's drill selection picks real, drill or one
// drill's records.
func TestDrillWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	d := Drill{ID: "d1", Units: []string{"n"}, Start: t0, End: t0.Add(time.Hour)}
	off := Drill{ID: "d2", Units: []string{"n"}, Start: t0, End: t0}
	for _, c := range []struct {
		name string
		got  bool
		want bool
	}{
		{"at the start", d.Covers("n", t0), true},
		{"just before the end", d.Covers("n", t0.Add(time.Hour-time.Nanosecond)), true},
		{"at the end", d.Covers("n", t0.Add(time.Hour)), false},
		{"before the start", d.Covers("n", t0.Add(-time.Nanosecond)), false},
		{"another unit", d.Covers("s", t0), false},
		{"called off", off.Covers("n", t0), false},
		{"a bundle over the drill", d.Overlaps(t0.Add(-time.Hour), t0.Add(8*time.Hour)), true},
		{"a bundle that expires at its start", d.Overlaps(t0.Add(-8*time.Hour), t0), false},
		{"a bundle from its end", d.Overlaps(t0.Add(time.Hour), t0.Add(9*time.Hour)), false},
		{"a called-off drill in a bundle", off.Overlaps(t0.Add(-time.Hour), t0.Add(8*time.Hour)), false},
		{"every record, a real one", MatchesDrill("", ""), true},
		{"every record, a drill's", MatchesDrill("", "d1"), true},
		{"real only, a real one", MatchesDrill(DrillNone, ""), true},
		{"real only, a drill's", MatchesDrill(DrillNone, "d1"), false},
		{"drills only, a real one", MatchesDrill(DrillAny, ""), false},
		{"drills only, a drill's", MatchesDrill(DrillAny, "d1"), true},
		{"one drill, its own", MatchesDrill("d1", "d1"), true},
		{"one drill, another's", MatchesDrill("d1", "d2"), false},
		{"one drill, a real one", MatchesDrill("d1", ""), false},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}
