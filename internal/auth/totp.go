package auth

import (
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// The admins' break-glass login: the local password plus a TOTP code
// (RFC 6238) from an authenticator app. The parameters are the ones every
// authenticator app takes: HMAC-SHA1, six digits, 30-second steps, a
// 160-bit secret (RFC 4226's recommendation). A code is accepted for
// the step of the server's clock and one step either side (a phone's
// clock a little off); the step it matched is returned so that the store
// can refuse it, and every earlier step, the next time (RFC 6238 §5.2).

// TOTPPeriod is the length of a TOTP time step.
const TOTPPeriod = 30 * time.Second

// totpSkew is how many steps either side of now a code may be for.
const totpSkew = 1

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTP makes a new secret for account and returns it (base32, as
// the store keeps it and an app takes it typed in) with its otpauth://
// URI (what a QR code holds).
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: uint(TOTPPeriod / time.Second),
		SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("new TOTP secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// CheckTOTP reports the time step whose code code is, for secret, within
// a step of now; ok is false for a code of no step near now (or not six
// digits). Each step's code is compared in constant time.
func CheckTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	cur := now.Unix() / int64(TOTPPeriod/time.Second)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := cur + d
		if s < 1 {
			continue
		}
		if good, err := hotp.ValidateCustom(code, uint64(s), secret, totpOpts); err == nil && good {
			// The latest step that matches: a code is the same for two
			// steps only by chance, and the later one refuses both.
			step, ok = s, true
		}
	}
	return step, ok
}

// TOTPCode is the code of secret at t (for tests and for the
// enrolment's check of an app).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: uint(TOTPPeriod / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}
