package auth

import (
	"errors"
	"unicode/utf8"
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
