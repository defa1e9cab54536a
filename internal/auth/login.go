package auth

import "time"

// LoginLimits throttles password guessing without letting a guesser lock
// a user out. Every attempt spends from three limits before the password
// is checked (and gets it back unless the password was wrong):
//
//   - the address's, over every account (a whole care unit may share one
//     office network, so it is roomy);
//   - the (account, address) pair's, the one a guesser at one address
//     meets first;
//   - the account's, over every address, which slows a guesser spread
//     over many addresses.
//
// When the account's limit is used up, an attempt from an address that
// has not failed for that account within CleanWindow (a clean pair) is
// still checked: the right password from a clean address logs in however
// many failures came from elsewhere. A guesser gets that pass once per
// address and window, and the pass is claimed before the password is
// checked, so parallel guesses from one address share one.
type LoginLimits struct {
	address *Limiter
	pair    *Limiter
	account *Limiter
	clean   *CleanPairs
}

// LoginPolicy sets the limits: Burst failures, then one more every Every.
type LoginPolicy struct {
	AddressBurst, PairBurst, AccountBurst int
	AddressEvery, PairEvery, AccountEvery time.Duration
	// CleanWindow is how long one failure keeps an address from passing
	// a used-up account limit.
	CleanWindow time.Duration
}

// DefaultLoginPolicy: 30 failures per address (then one every 10 s), 5
// per account and address (then one every 3 minutes), 20 per account
// from all addresses (then one every 5 minutes); an address that failed
// for an account stays held to the account's limit for 24 hours.
func DefaultLoginPolicy() LoginPolicy {
	return LoginPolicy{
		AddressBurst: 30, AddressEvery: 10 * time.Second,
		PairBurst: 5, PairEvery: 3 * time.Minute,
		AccountBurst: 20, AccountEvery: 5 * time.Minute,
		CleanWindow: 24 * time.Hour,
	}
}

// NewLoginLimits returns empty limits with the policy.
func NewLoginLimits(p LoginPolicy) *LoginLimits {
	return &LoginLimits{
		address: NewLimiter(p.AddressBurst, p.AddressEvery),
		pair:    NewLimiter(p.PairBurst, p.PairEvery),
		account: NewLimiter(p.AccountBurst, p.AccountEvery),
		clean:   NewCleanPairs(p.CleanWindow),
	}
}

// Attempt is a login attempt that was let through to the password check.
// Call Done exactly once with its outcome.
type Attempt struct {
	l                      *LoginLimits
	account, address, pair string
	now                    time.Time
	viaAccount, viaClean   bool
}

// Take spends an attempt for the account (its normalised username) from
// the address. When a limit refuses, nothing stays spent and wait says
// when to try again.
func (l *LoginLimits) Take(account, address string, now time.Time) (*Attempt, time.Duration) {
	pair := account + "\x00" + address
	ok, wait := l.address.Take(address, now)
	if !ok {
		return nil, wait
	}
	if ok, wait = l.pair.Take(pair, now); !ok {
		l.address.Refund(address, now)
		return nil, wait
	}
	a := &Attempt{l: l, account: account, address: address, pair: pair, now: now}
	if ok, wait = l.account.Take(account, now); ok {
		a.viaAccount = true
		return a, 0
	}
	if l.clean.Claim(pair, now) {
		a.viaClean = true
		return a, 0
	}
	l.pair.Refund(pair, now)
	l.address.Refund(address, now)
	return nil, wait
}

// Done ends the attempt: a wrong password (failed) keeps every limit
// spent and marks the address as having failed for the account; any other
// outcome gives everything back.
func (a *Attempt) Done(failed bool) {
	l := a.l
	if failed {
		l.clean.Fail(a.pair, a.now)
		return
	}
	l.address.Refund(a.address, a.now)
	l.pair.Refund(a.pair, a.now)
	if a.viaAccount {
		l.account.Refund(a.account, a.now)
	}
	if a.viaClean {
		l.clean.Release(a.pair)
	}
}
