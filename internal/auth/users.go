package auth

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// MinPasswordLength is the shortest password accepted for a new or reset
// account.
const MinPasswordLength = 10

// CheckPassword says whether a new password is acceptable: long enough,
// not absurdly long, not only one repeated character.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return errors.New("a password needs at least 10 characters")
	case len(pw) > 256:
		return errors.New("a password may have at most 256 bytes")
	}
	first := []rune(pw)[0]
	for _, r := range pw {
		if r != first {
			return nil
		}
	}
	return errors.New("a password of one repeated character is too easy to guess")
}

// NormalizeUsername is the one form of a username that logins, new
// accounts and the store compare: surrounding space trimmed, NFKC (so
// that fullwidth "ｋａｒｉ" and "kari" are one name), then Unicode case
// folding (so that "Kari", "KARI" and "kari" are one too), then NFKC
// again, since folding can undo normalisation.
func NormalizeUsername(s string) string {
	s = norm.NFKC.String(strings.TrimSpace(s))
	return norm.NFKC.String(cases.Fold().String(s))
}
