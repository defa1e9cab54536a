package app

import (
	"testing"
	"time"
)

func TestPrintRange(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, oslo)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(15 * time.Hour)
	}
	cases := []struct {
		choice, today, from, to string
		wantFrom, wantTo        string
	}{
		{printToday, "2026-03-27", "", "", "2026-03-27", "2026-03-27"},
		{printTomorrow, "2026-03-27", "", "", "2026-03-27", "2026-03-28"},
		// A Friday before the change to summer time: the weekend and Monday.
		{printWeekend, "2026-03-27", "", "", "2026-03-27", "2026-03-30"},
		{printWeekend, "2026-03-28", "", "", "2026-03-28", "2026-03-30"}, // Saturday
		{printWeekend, "2026-03-30", "", "", "2026-03-30", "2026-04-06"}, // Monday: the next one
		{printWeekend, "2026-12-31", "", "", "2026-12-31", "2027-01-04"}, // across the new year
		{printCustom, "2026-03-27", "2026-04-01", "2026-04-06", "2026-04-01", "2026-04-06"},
		{"", "2026-03-27", "", "", "2026-03-27", "2026-03-27"},
	}
	for _, c := range cases {
		from, to := PrintRange(c.choice, day(c.today), c.from, c.to)
		if from != c.wantFrom || to != c.wantTo {
			t.Errorf("PrintRange(%q, %s) = %s..%s, want %s..%s", c.choice, c.today, from, to, c.wantFrom, c.wantTo)
		}
	}
	if got := ISOWeek(day("2026-01-01")); got != "2026-W01" {
		t.Errorf("ISOWeek(1 Jan 2026) = %s", got)
	}
	if got := ISOWeek(day("2027-01-01")); got != "2026-W53" {
		t.Errorf("ISOWeek(1 Jan 2027) = %s", got)
	}
}
