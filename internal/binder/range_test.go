package binder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"beredskap/internal/care"
)

func TestRange(t *testing.T) {
	now := time.Date(2026, 3, 27, 15, 0, 0, 0, oslo) // a Friday
	cases := []struct {
		name, date, from, to string
		first                string
		days                 int
		key                  string
	}{
		{"nothing is today", "", "", "", "2026-03-27", 1, ""},
		{"date alone", "2026-03-20", "", "", "2026-03-20", 1, ""},
		{"a single day", "", "2026-03-20", "2026-03-20", "2026-03-20", 1, ""},
		{"from alone is one day", "", "2026-03-20", "", "2026-03-20", 1, ""},
		{"to alone starts today", "", "", "2026-03-30", "2026-03-27", 4, ""},
		// 29 March 2026 is 23 hours long in Oslo: the days are counted on
		// the calendar, not by dividing hours.
		{"across the change to summer time", "", "2026-03-28", "2026-03-30", "2026-03-28", 3, ""},
		{"across the change back", "", "2026-10-24", "2026-10-26", "2026-10-24", 3, ""},
		{"fourteen days", "", "2026-03-20", "2026-04-02", "2026-03-20", 14, ""},
		{"fifteen days", "", "2026-03-20", "2026-04-03", "", 0, KeyMaxDays},
		{"reversed", "", "2026-03-21", "2026-03-20", "", 0, KeyBeforeFrom},
		{"date and a range", "2026-03-20", "2026-03-20", "", "", 0, KeyDateOrFrom},
		{"bad from", "", "20.03.2026", "", "", 0, care.KeyDate},
		{"bad to", "", "2026-03-20", "2026-02-30", "", 0, care.KeyDate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			first, n, err := Range(c.date, c.from, c.to, now, oslo)
			if c.key != "" {
				var v *care.ValidationError
				if !errors.As(err, &v) || v.Key != c.key {
					t.Fatalf("err = %v, want a validation error with key %s", err, c.key)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := first.Format(time.DateOnly); got != c.first || n != c.days {
				t.Fatalf("got %s + %d days, want %s + %d", got, n, c.first, c.days)
			}
			if first.Hour() != 0 || first.Minute() != 0 || first.Location() != oslo {
				t.Fatalf("first day starts at %v, want midnight in Oslo", first)
			}
		})
	}
}

func TestParseWeek(t *testing.T) {
	now := time.Date(2026, 3, 18, 9, 0, 0, 0, oslo)
	cases := []struct{ in, monday string }{
		{"", "2026-03-16"},
		{"2026-W12", "2026-03-16"},
		{"2026-W01", "2025-12-29"},
		{"2026-W53", "2026-12-28"}, // 2026 has 53 ISO weeks
		{"2027-W53", ""},
		{"2026-W00", ""},
		{"2026-12", ""},
		{"26-W12", ""},
	}
	for _, c := range cases {
		got, err := ParseWeek(c.in, now, oslo)
		if c.monday == "" {
			var v *care.ValidationError
			if !errors.As(err, &v) || v.Key != KeyWeek {
				t.Errorf("ParseWeek(%q) = %v, %v; want a week error", c.in, got, err)
			}
			continue
		}
		if err != nil || got.Format(time.DateOnly) != c.monday || got.Weekday() != time.Monday || got.Hour() != 0 {
			t.Errorf("ParseWeek(%q) = %v, %v; want Monday %s", c.in, got, err, c.monday)
		}
		if c.in != "" && WeekName(got) != c.in {
			t.Errorf("WeekName(%v) = %s, want %s", got, WeekName(got), c.in)
		}
	}
}

// rangeData is three days of testData, each day's visits moved to that
// day and one visit per day with the day's own task.
func rangeData() []Data {
	var days []Data
	for i := range 3 {
		d := testData()
		d.Day = d.Day.AddDate(0, 0, i)
		for k := range d.Visits {
			d.Visits[k].Start = d.Visits[k].Start.AddDate(0, 0, i)
		}
		for k := range d.Doses {
			d.Doses[k].Due = d.Doses[k].Due.AddDate(0, 0, i)
		}
		d.Visits[0].Tasks = []string{"Oppgave for dag " + string(rune('A'+i))}
		days = append(days, d)
	}
	return days
}

func TestRenderDays(t *testing.T) {
	days := rangeData()
	r := renderDays(t, days)
	single := render(t, days[0])
	if len(r.pages) < 3*len(single.pages) {
		t.Fatalf("%d pages for three days, one day has %d", len(r.pages), len(single.pages))
	}
	heads := []string{"Mandag 16.03.2026 · Dag 1 av 3", "Tirsdag 17.03.2026 · Dag 2 av 3", "Onsdag 18.03.2026 · Dag 3 av 3"}
	day := -1
	for i, p := range r.pages {
		// Every page names its day and the page number of the whole.
		n := -1
		for k, h := range heads {
			if strings.Contains(p, h) {
				n = k
			}
		}
		if n < 0 {
			t.Fatalf("page %d names no day: %.200s", i+1, p)
		}
		if n < day || n > day+1 {
			t.Fatalf("page %d is day %d after day %d", i+1, n+1, day+1)
		}
		day = n
		if !strings.Contains(p, "Side "+itoa(i+1)+" av "+itoa(len(r.pages))) {
			t.Errorf("page %d lacks its page number", i+1)
		}
		// A day's own visit is on that day's pages only.
		for k := range heads {
			task := "Oppgave for dag " + string(rune('A'+k))
			if strings.Contains(p, task) && k != n {
				t.Errorf("page %d (day %d) holds day %d's visit", i+1, n+1, k+1)
			}
		}
	}
	if day != 2 {
		t.Fatalf("the last page is day %d", day+1)
	}
	for k := range heads {
		if !strings.Contains(r.all(), "Oppgave for dag "+string(rune('A'+k))) {
			t.Errorf("day %d's visit is missing", k+1)
		}
	}
	// Each day has its own cover whose contents point into that day.
	covers := 0
	for _, p := range r.pages {
		if strings.Contains(p, "Slik bruker du permen") {
			covers++
		}
	}
	if covers != 3 {
		t.Errorf("%d covers, want one per day", covers)
	}
	// One day printed as a range is the one-day binder, byte for byte.
	one := renderDays(t, days[:1])
	if string(one.raw) != string(single.raw) {
		t.Error("a one-day range differs from the one-day binder")
	}
	if strings.Contains(single.all(), "Dag 1 av 1") {
		t.Error("a one-day binder says day 1 of 1")
	}
}

func itoa(n int) string { return fmt.Sprint(n) }

func renderDays(t *testing.T, days []Data) rendered {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderDays(context.Background(), &buf, days); err != nil {
		t.Fatalf("RenderDays: %v", err)
	}
	return readBack(t, buf.Bytes())
}

func readBack(t *testing.T, raw []byte) rendered {
	t.Helper()
	rd, err := pdf.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("output does not parse as PDF: %v", err)
	}
	out := rendered{raw: raw}
	for i := 1; i <= rd.NumPage(); i++ {
		s, err := rd.Page(i).GetPlainText(nil)
		if err != nil {
			t.Fatalf("page %d: extract text: %v", i, err)
		}
		out.pages = append(out.pages, strings.Join(strings.Fields(s), " "))
	}
	return out
}

// BenchmarkRenderFortnight measures the longest binder a request may ask
// for: fourteen days of the test unit.
func BenchmarkRenderFortnight(b *testing.B) {
	var days []Data
	for i := range MaxDays {
		d := testData()
		d.Day = d.Day.AddDate(0, 0, i)
		for k := range d.Visits {
			d.Visits[k].Start = d.Visits[k].Start.AddDate(0, 0, i)
		}
		days = append(days, d)
	}
	for b.Loop() {
		var buf bytes.Buffer
		if err := RenderDays(context.Background(), &buf, days); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len()), "bytes/pdf")
	}
}
