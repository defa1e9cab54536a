package i18n

import "testing"

// TestCount: each language groups thousands its own way.
func TestCount(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"nb", 31417, "31\u00a0417"},
		{"sv", 1234567, "1\u00a0234\u00a0567"},
		{"da", 31417, "31.417"},
		{"en", 31417, "31,417"},
		{"en", 200, "200"},
		{"nb", 1000, "1\u00a0000"},
		{"da", 0, "0"},
		{"en", -1234, "-1,234"},
		{"xx", 999999, "999\u00a0999"},
	} {
		if got := Count(c.lang, c.n); got != c.want {
			t.Errorf("Count(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
