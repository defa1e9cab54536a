package web

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cssRule is one block of app.css: its selector and declarations.
type cssRule struct {
	selector string
	decls    map[string]string
}

var (
	ruleRE    = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	commentRE = regexp.MustCompile(`(?s)/\*.*?\*/`)
	varRE     = regexp.MustCompile(`^var\((--[a-z0-9-]+)\)$`)
)

func parseCSS(t *testing.T) []cssRule {
	t.Helper()
	b, err := FS.ReadFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	css := commentRE.ReplaceAllString(string(b), "")
	var rules []cssRule
	for _, m := range ruleRE.FindAllStringSubmatch(css, -1) {
		r := cssRule{selector: strings.TrimSpace(m[1]), decls: map[string]string{}}
		for _, d := range strings.Split(m[2], ";") {
			k, v, ok := strings.Cut(d, ":")
			if !ok {
				continue
			}
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "!important"))
			r.decls[strings.TrimSpace(k)] = v
		}
		rules = append(rules, r)
	}
	return rules
}

func findRule(t *testing.T, rules []cssRule, selector string) map[string]string {
	t.Helper()
	for _, r := range rules {
		if r.selector == selector {
			return r.decls
		}
	}
	t.Fatalf("app.css has no rule %q", selector)
	return nil
}

// luminance is the WCAG 2 relative luminance of #rrggbb or #rgb.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		t.Fatalf("not a hex colour: %q", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			t.Fatalf("not a hex colour: %q", hex)
		}
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestTextContrastInBothThemes checks that text is at least 4.5:1 against
// its background in the light and the dark theme: every text colour on
// every background it is used on, and every rule of app.css that sets both
// a colour and a background.
func TestTextContrastInBothThemes(t *testing.T) {
	rules := parseCSS(t)
	light := findRule(t, rules, ":root")
	dark := map[string]string{}
	for k, v := range light {
		dark[k] = v
	}
	chosen := findRule(t, rules, `:root[data-theme="dark"]`)
	for k, v := range chosen {
		dark[k] = v
	}
	// The dark theme by system setting must be the same as the chosen one.
	bySystem := findRule(t, rules, `:root:not([data-theme="light"])`)
	for k, v := range chosen {
		if bySystem[k] != v {
			t.Errorf("dark theme: %s is %q when chosen but %q by the system setting", k, v, bySystem[k])
		}
	}
	if len(bySystem) != len(chosen) {
		t.Errorf("dark theme: %d declarations when chosen, %d by the system setting", len(chosen), len(bySystem))
	}

	themes := map[string]map[string]string{"light": light, "dark": dark}
	resolve := func(theme map[string]string, v string) (string, bool) {
		if m := varRE.FindStringSubmatch(v); m != nil {
			v = theme[m[1]]
		}
		return v, strings.HasPrefix(v, "#")
	}
	backgrounds := []string{"--bg", "--surface", "--info-bg", "--warn-bg", "--danger-bg", "--ok-bg"}
	pairs := map[string][]string{
		"--text":       backgrounds,
		"--muted":      backgrounds,
		"--accent":     {"--bg", "--surface", "--info-bg"},
		"--danger":     {"--bg", "--surface", "--danger-bg"},
		"--ok":         {"--bg", "--surface", "--ok-bg"},
		"--brand-text": {"--brand"},
		"--on-accent":  {"--accent"},
	}
	checked := 0
	for name, theme := range themes {
		for fg, bgs := range pairs {
			for _, bg := range bgs {
				f, b := theme[fg], theme[bg]
				if f == "" || b == "" {
					t.Fatalf("%s theme: %s or %s is not defined", name, fg, bg)
				}
				if r := contrast(t, f, b); r < 4.5 {
					t.Errorf("%s theme: %s %s on %s %s is %.2f:1, below 4.5:1", name, fg, f, bg, b, r)
				}
				checked++
			}
		}
		for _, r := range rules {
			bgv, ok := r.decls["background"]
			if !ok {
				bgv, ok = r.decls["background-color"]
			}
			fgv, ok2 := r.decls["color"]
			if !ok || !ok2 {
				continue
			}
			f, fok := resolve(theme, fgv)
			b, bok := resolve(theme, bgv)
			if !fok || !bok {
				continue // currentColor, inherit, a gradient: nothing to compare
			}
			if c := contrast(t, f, b); c < 4.5 {
				t.Errorf("%s theme: %s has %s on %s, %.2f:1, below 4.5:1", name, r.selector, f, b, c)
			}
			checked++
		}
	}
	if checked < 80 {
		t.Fatalf("only %d colour pairs checked: the style sheet parse is broken", checked)
	}
}
