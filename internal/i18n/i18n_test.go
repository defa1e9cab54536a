package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestEveryLanguageHasEveryKey fails when a key is missing in any
// language, or when the placeholders of a translation differ from English.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`)
	all := map[string]bool{}
	for _, l := range Languages() {
		for k := range catalogue(l) {
			all[k] = true
		}
	}
	for _, m := range extra {
		for k, texts := range m {
			for i, l := range Languages() {
				if texts[i] == "" {
					t.Errorf("%s lacks %q", l, k)
				}
			}
			for i, l := range Languages()[:3] {
				if got, want := verbs.FindAllString(texts[i], -1), verbs.FindAllString(texts[3], -1); strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%q: placeholders differ between %s and en", k, l)
				}
			}
		}
	}
	for _, l := range Languages() {
		cat := catalogue(l)
		var missing []string
		for k := range all {
			msg, ok := cat[k]
			if !ok || strings.TrimSpace(msg) == "" {
				missing = append(missing, k)
				continue
			}
			if got, want := verbs.FindAllString(msg, -1), verbs.FindAllString(en[k], -1); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s %q: placeholders %v, English has %v", l, k, got, want)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s lacks %d keys: %s", l, len(missing), strings.Join(missing, ", "))
		}
	}
}

// TestEveryKeyUsedExists scans the app's pages and the phone's core for keys passed to the
// translation functions and checks each is in the catalogue.
func TestEveryKeyUsedExists(t *testing.T) {
	use := regexp.MustCompile(`(?:\.t|\.T|i18n\.T|T)\((?:lang, |s\.Lang\(\), )?"([a-z_]+\.[a-z_.0-9]*[a-z_0-9])"`)
	var files []string
	for _, pattern := range []string{"../../app/*.go", "../../app/shift/*.go"} {
		fs, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatal("no source files found to scan")
	}
	found := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			found++
			if !Has("en", m[1]) {
				t.Errorf("%s uses %q, which is not in the catalogue", filepath.Base(f), m[1])
			}
		}
	}
	if found < 20 {
		t.Fatalf("found only %d keys in the source: the scan is broken", found)
	}
}

func TestPick(t *testing.T) {
	cases := []struct {
		prefs []string
		want  string
	}{
		{[]string{"nb-NO"}, "nb"},
		{[]string{"no"}, "nb"},
		{[]string{"nn-NO"}, "nb"},
		{[]string{"sv-SE"}, "sv"},
		{[]string{"da"}, "da"},
		{[]string{"en-GB"}, "en"},
		{[]string{"de-DE"}, "nb"},
		{[]string{"", "de", "sv"}, "sv"},
		{nil, "nb"},
	}
	for _, c := range cases {
		if got := Pick(c.prefs...); got != c.want {
			t.Errorf("Pick(%v) = %q, want %q", c.prefs, got, c.want)
		}
	}
}

func TestFormats(t *testing.T) {
	at := time.Date(2026, 11, 22, 8, 5, 0, 0, time.UTC)
	cases := []struct {
		lang, date, clock, dur string
	}{
		{"nb", "22.11.2026", "08:05", "1 t 5 min"},
		{"sv", "2026-11-22", "08:05", "1 tim 5 min"},
		{"da", "22.11.2026", "08.05", "1 t 5 min"},
		{"en", "22 Nov 2026", "08:05", "1 h 5 min"},
	}
	for _, c := range cases {
		if got := Date(c.lang, at); got != c.date {
			t.Errorf("Date(%s) = %q, want %q", c.lang, got, c.date)
		}
		if got := Time(c.lang, at); got != c.clock {
			t.Errorf("Time(%s) = %q, want %q", c.lang, got, c.clock)
		}
		if got := Duration(c.lang, 65*time.Minute); got != c.dur {
			t.Errorf("Duration(%s) = %q, want %q", c.lang, got, c.dur)
		}
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
	if got := T("sv", "visits.summary", "Måndag", "x", 3); got != "Måndag x · 3 besök" {
		t.Errorf("formatted: %q", got)
	}
}
