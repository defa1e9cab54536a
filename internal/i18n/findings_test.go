package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestFindingKeysInEveryLanguage fails when a language lacks a finding's
// message, or names other values than the English one, or has a
// placeholder the formatter cannot fill.
func TestFindingKeysInEveryLanguage(t *testing.T) {
	for key, texts := range findingTexts {
		want := names(texts[3])
		slices.Sort(want)
		for i, lang := range Languages() {
			if strings.TrimSpace(texts[i]) == "" {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			got := names(texts[i])
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %q names %v, English names %v", lang, key, got, want)
			}
			if strings.Count(texts[i], "{") != strings.Count(texts[i], "}") {
				t.Errorf("%s %q: unbalanced braces", lang, key)
			}
			// Every value a whole number, so that every plural form can be
			// filled: the message must format.
			args := map[string]string{}
			for _, n := range got {
				args[n] = "2"
			}
			if _, ok := Finding(lang, key, args, nil); !ok {
				t.Errorf("%s %q does not format with %v", lang, key, args)
			}
		}
	}
}

// TestFindingKeysMatchServer reads the keyed(...) calls of the reconcile
// package, where the server names each finding's key and values, and
// checks that the catalogue has every key the server sends, uses only
// values the server sends with it, and has no key the server never sends.
func TestFindingKeysMatchServer(t *testing.T) {
	// Every source file of the package: its findings are written in
	// more than one.
	files, err := filepath.Glob("../reconcile/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	// A call may go on over a second line.
	call := regexp.MustCompile(`keyed\(&f, "(finding\.[a-z_]+)"((?:[^\n]*,\n)?[^\n]*)`)
	literal := regexp.MustCompile(`"([a-z_]+)"`)
	sent := map[string][]string{}
	for _, m := range call.FindAllStringSubmatch(string(src), -1) {
		for _, a := range literal.FindAllStringSubmatch(m[2], -1) {
			sent[m[1]] = append(sent[m[1]], a[1])
		}
	}
	if len(sent) < 10 {
		t.Fatalf("found only %d keys in the reconcile package: the scan is broken", len(sent))
	}
	for key, args := range sent {
		texts, ok := findingTexts[key]
		if !ok {
			t.Errorf("the server sends %q, which the catalogue lacks", key)
			continue
		}
		for _, n := range names(texts[3]) {
			if !slices.Contains(args, n) {
				t.Errorf("%q uses {%s}, which the server does not send (it sends %v)", key, n, args)
			}
		}
	}
	for key := range findingTexts {
		if _, ok := sent[key]; !ok {
			t.Errorf("the catalogue has %q, which the server never sends", key)
		}
	}
}

func TestFindingFormat(t *testing.T) {
	upper := func(name, v string) string {
		if name == "who" {
			return strings.ToUpper(v)
		}
		return v
	}
	cases := []struct {
		name, msg string
		args      map[string]string
		want      string
		ok        bool
	}{
		{"plain", "{who} came", map[string]string{"who": "kari"}, "KARI came", true},
		{"one", "{n|# dose|# doses}", map[string]string{"n": "1"}, "1 dose", true},
		{"other", "{n|# dose|# doses}", map[string]string{"n": "3"}, "3 doses", true},
		{"zero in two forms is other", "{n|# dose|# doses}", map[string]string{"n": "0"}, "0 doses", true},
		{"zero form", "gap{n|| and # more| and # more}.", map[string]string{"n": "0"}, "gap.", true},
		{"zero form, one", "gap{n|| and # more| and # more}.", map[string]string{"n": "1"}, "gap and 1 more.", true},
		{"shown value in a form", "{who|# alone|# and others}", map[string]string{"who": "1"}, "1 alone", true},
		{"missing value", "{who} and {n}", map[string]string{"who": "kari"}, "", false},
		{"plural of no number", "{n|# dose|# doses}", map[string]string{"n": "many"}, "", false},
		{"unclosed", "{who came", map[string]string{"who": "kari"}, "", false},
		{"no placeholders", "nothing to fill", nil, "nothing to fill", true},
	}
	for _, c := range cases {
		got, ok := format(c.msg, c.args, upper)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: format(%q) = %q, %v; want %q, %v", c.name, c.msg, got, ok, c.want, c.ok)
		}
	}
	if _, ok := Finding("en", "finding.no_such_kind", map[string]string{}, nil); ok {
		t.Error("an unknown key formats")
	}
	if _, ok := Finding("de", "finding.emergency_access", map[string]string{"author": "x"}, nil); ok {
		t.Error("an unknown language formats")
	}
	got, ok := Finding("nb", "finding.double_administration",
		map[string]string{"medication": "Paracet", "count": "2", "first_at": "kl. 8", "last_at": "kl. 9"}, nil)
	if want := "Paracet er signert gitt 2 ganger mellom kl. 8 og kl. 9."; !ok || got != want {
		t.Errorf("Finding = %q, %v; want %q", got, ok, want)
	}
}

func TestNumber(t *testing.T) {
	cases := []struct {
		lang string
		n    int
		want string
	}{
		{"nb", 0, "0"},
		{"nb", 200, "200"},
		{"nb", 1234, "1\u00a0234"},
		{"sv", 31417, "31\u00a0417"},
		{"da", 1234567, "1.234.567"},
		{"en", 31417, "31,417"},
		{"en", -1234, "-1,234"},
		{"en", 999, "999"},
	}
	for _, c := range cases {
		if got := Number(c.lang, c.n); got != c.want {
			t.Errorf("Number(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
