package auth

import (
	"context"
	"log/slog"
	"time"

	"beredskap/internal/store"
)

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
	address Counter
	pair    Counter
	account Counter
	clean   cleanSet
}

// cleanSet is where the pairs that failed recently are remembered:
// CleanPairs in this process, or a bucket in the store several servers
// share (sharedClean).
type cleanSet interface {
	Claim(key string, now time.Time) bool
	Release(key string, now time.Time)
	Fail(key string, now time.Time)
}

// localClean is CleanPairs as a cleanSet.
type localClean struct{ *CleanPairs }

func (c localClean) Release(key string, _ time.Time) { c.CleanPairs.Release(key) }

// sharedClean keeps each pair's clean pass in the shared store as a
// bucket of one attempt that refills over CleanWindow, so that the pass
// is one for all servers, as the other limits are: claiming the pass
// takes the attempt (the pair is not clean while it is checked, nor for
// the window after a failure), a login that was not a failure gives it
// back, and a failure takes it when it is there. One difference from
// CleanPairs: a second failure within the window does not move the
// window's end (a bucket cannot be emptied again), so a pair is clean
// again a window after its first failure in the window, not its last.
type sharedClean struct{ c *SharedCounter }

func (s sharedClean) Claim(key string, now time.Time) bool {
	ok, _ := s.c.Take(key, now)
	return ok
}

func (s sharedClean) Release(key string, now time.Time) { s.c.Refund(key, now) }

func (s sharedClean) Fail(key string, now time.Time) { s.c.Take(key, now) }

// Counter is where one limit's buckets live: a Limiter in this process,
// or the store that several servers share (SharedCounter).
type Counter interface {
	Take(key string, now time.Time) (bool, time.Duration)
	Refund(key string, now time.Time)
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
		clean:   localClean{NewCleanPairs(p.CleanWindow)},
	}
}

// NewSharedLoginLimits returns limits whose counts live in t, the store
// every server shares, so that a guesser spread over the servers behind a
// load balancer meets the same limits as on one. The pass of a clean
// address (CleanWindow) is shared too (sharedClean): were it each
// server's own, an address that failed on one server would be clean on
// the next, and a guesser would get one checked guess per address and
// server, not per address, once the account's limit is used up.
func NewSharedLoginLimits(p LoginPolicy, t store.Throttle, log *slog.Logger) *LoginLimits {
	return &LoginLimits{
		address: &SharedCounter{T: t, Name: "address", Burst: p.AddressBurst, Every: p.AddressEvery, Log: log},
		pair:    &SharedCounter{T: t, Name: "pair", Burst: p.PairBurst, Every: p.PairEvery, Log: log},
		account: &SharedCounter{T: t, Name: "account", Burst: p.AccountBurst, Every: p.AccountEvery, Log: log},
		clean:   sharedClean{&SharedCounter{T: t, Name: "clean", Burst: 1, Every: p.CleanWindow, Log: log}},
	}
}

// SharedCounter is one limit counted in a shared store. When the store
// cannot be asked, the attempt is refused (and the refusal says to try
// again in a few seconds): a login that could not be counted is not let
// through to the password check.
type SharedCounter struct {
	T     store.Throttle
	Name  string
	Burst int
	Every time.Duration
	Log   *slog.Logger
}

// sharedWait is how long a login refused for want of the store waits.
const sharedWait = 5 * time.Second

func (c *SharedCounter) Take(key string, now time.Time) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedWait)
	defer cancel()
	ok, wait, err := c.T.TakeAttempt(ctx, c.Name, key, c.Burst, c.Every, now)
	if err != nil {
		if c.Log != nil {
			c.Log.Error("login limit unavailable: attempt refused", "limit", c.Name, "err", err)
		}
		return false, sharedWait
	}
	return ok, wait
}

func (c *SharedCounter) Refund(key string, now time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedWait)
	defer cancel()
	if err := c.T.RefundAttempt(ctx, c.Name, key, c.Burst, c.Every, now); err != nil && c.Log != nil {
		c.Log.Warn("login limit: an attempt was not given back", "limit", c.Name, "err", err)
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
		l.clean.Release(a.pair, a.now)
	}
}
