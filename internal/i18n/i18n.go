// Package i18n is the translation catalogue: every string a user sees, in
// Norwegian bokmål, Swedish, Danish and English, and the date and time
// formats of each.
package i18n

import (
	"fmt"
	"strings"
	"time"
)

// Languages lists the supported languages, default first.
func Languages() []string { return []string{"nb", "sv", "da", "en"} }

// Default is the language used when nothing else is known.
const Default = "nb"

// Name is a language's own name for itself, as a language switcher shows
// it: someone who cannot read the current language still finds theirs.
func Name(lang string) string {
	switch lang {
	case "sv":
		return "Svenska"
	case "da":
		return "Dansk"
	case "en":
		return "English"
	default:
		return "Norsk bokmål"
	}
}

// extra holds catalogues kept apart by topic (the printed binder), each key
// with its four translations in the order of Languages.
var extra = []map[string][4]string{binderTexts, errorTexts}

// lookup finds key in lang's catalogue or in an extra one.
func lookup(lang, key string) (string, bool) {
	if msg, ok := catalogue(lang)[key]; ok {
		return msg, true
	}
	for i, l := range Languages() {
		if l != lang {
			continue
		}
		for _, m := range extra {
			if t, ok := m[key]; ok && t[i] != "" {
				return t[i], true
			}
		}
	}
	return "", false
}

// catalogue holds every language's messages by key.
func catalogue(lang string) map[string]string {
	switch lang {
	case "en":
		return en
	case "sv":
		return sv
	case "da":
		return da
	default:
		return nb
	}
}

// T returns the message for key in lang, formatted with args. A key missing
// from a language falls back to English and then to the key itself, so
// that a gap shows as text rather than as nothing; a test keeps the
// catalogue complete.
func T(lang, key string, args ...any) string {
	msg, ok := lookup(lang, key)
	if !ok {
		if msg, ok = lookup("en", key); !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether lang has its own message for key.
func Has(lang, key string) bool {
	_, ok := lookup(lang, key)
	return ok
}

// Pick chooses a supported language from a preference such as a user's
// saved language or the browser's navigator.language ("nb-NO", "no",
// "sv-SE", "da", "en-GB"). Norwegian variants map to bokmål.
func Pick(prefs ...string) string {
	for _, p := range prefs {
		p = strings.ToLower(strings.TrimSpace(p))
		base, _, _ := strings.Cut(p, "-")
		switch base {
		case "nb", "no", "nn":
			return "nb"
		case "sv", "da", "en":
			return base
		}
	}
	return Default
}

// Time formats a clock time in the language's convention.
func Time(lang string, t time.Time) string {
	if lang == "da" {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}

// Date formats a calendar date in the language's convention.
func Date(lang string, t time.Time) string {
	switch lang {
	case "sv":
		return t.Format("2006-01-02")
	case "en":
		return t.Format("2 Jan 2006")
	default:
		return t.Format("02.01.2006")
	}
}

// Weekday names the day of t in lang, as used in headings.
func Weekday(lang string, t time.Time) string {
	return T(lang, "weekday."+strings.ToLower(t.Weekday().String()))
}

// Duration formats a span as hours and minutes ("3 t 20 min").
func Duration(lang string, d time.Duration) string {
	if d < 0 {
		d = 0
	}
	h := int(d.Hours())
	m := int(d.Minutes()) % 60
	if h == 0 {
		return T(lang, "duration.minutes", m)
	}
	if m == 0 {
		return T(lang, "duration.hours", h)
	}
	return T(lang, "duration.hours_minutes", h, m)
}
