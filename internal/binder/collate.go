package binder

import (
	"strings"
)

// Nordic alphabets end in letters that byte order puts in the wrong place
// (Norwegian and Danish: æ ø å; Swedish: å ä ö), and a binder sorted by
// name must match the order people look names up in. The last letters map
// to runes after 'z'; accented letters sort with their base letter.
var (
	collateNordic = map[rune]string{
		'æ': "{", 'ä': "{", 'ø': "|", 'ö': "|", 'å': "}",
	}
	collateSwedish = map[rune]string{
		'å': "{", 'ä': "|", 'æ': "|", 'ö': "}", 'ø': "}",
	}
	collateEnglish = map[rune]string{
		'æ': "ae", 'ä': "a", 'ø': "o", 'ö': "o", 'å': "a", 'ü': "u",
	}
	collateAccents = map[rune]string{
		'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e",
		'ë': "e", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ñ': "n", 'ó': "o", 'ò': "o",
		'ô': "o", 'õ': "o", 'ú': "u", 'ù': "u", 'û': "u", 'ü': "y", 'ý': "y", 'ÿ': "y",
		'š': "s", 'ž': "z", 'č': "c", 'đ': "d", 'ŋ': "n", 'ŧ': "t", 'ð': "d", 'þ': "th",
	}
)

// collateKey maps a name to a string whose byte order is lang's
// alphabetical order, ignoring case.
func collateKey(lang, s string) string {
	last := collateNordic
	switch lang {
	case "sv":
		last = collateSwedish
	case "en":
		last = collateEnglish
	}
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if k, ok := last[r]; ok {
			b.WriteString(k)
		} else if k, ok := collateAccents[r]; ok {
			b.WriteString(k)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// compareNames orders names alphabetically for lang, falling back to byte
// order so that the order is total and the output deterministic.
func compareNames(lang, a, b string) int {
	if c := strings.Compare(collateKey(lang, a), collateKey(lang, b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func compareStrings(a, b string) int { return strings.Compare(a, b) }
