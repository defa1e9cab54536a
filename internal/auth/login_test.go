package auth

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// attemptAll sends n attempts for account from each address at once, all
// wrong passwords, and counts those let through to the password check.
func attemptAll(l *LoginLimits, account string, addresses []string, n int, now time.Time) (checked, refused int) {
	var through, stopped atomic.Int32
	var start, done sync.WaitGroup
	start.Add(1)
	for _, addr := range addresses {
		for range n {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				a, wait := l.Take(account, addr, now)
				if a == nil {
					if wait <= 0 {
						panic("refused without a wait")
					}
					stopped.Add(1)
					return
				}
				through.Add(1)
				a.Done(true)
			}()
		}
	}
	start.Done()
	done.Wait()
	return int(through.Load()), int(stopped.Load())
}

func addrs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s.%d", prefix, i)
	}
	return out
}

// TestLoginLimitsParallelGuesses: guesses sent at once never get more
// checks than the limits allow, from one address or from many, before and
// after the account's own limit is used up.
func TestLoginLimitsParallelGuesses(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	p := DefaultLoginPolicy()
	cases := []struct {
		name      string
		before    []string // addresses that each fail PairBurst times first
		addresses []string
		each      int
		want      int
		// most, when set, allows between want and most: which guesses of
		// many addresses meet a clean pass depends on their order.
		most int
	}{
		{"one address: the pair's limit", nil, addrs("10.0.0", 1), 50, p.PairBurst, 0},
		{"a few addresses: each pair's limit", nil, addrs("10.0.1", 3), 20, 3 * p.PairBurst, 0},
		{"many addresses: the account's limit, and at most one pass per address", nil, addrs("10.0.2", 10), 10, p.AccountBurst, p.AccountBurst + 10},
		{"account used up: one pass per clean address", addrs("10.0.3", p.AccountBurst/p.PairBurst), addrs("10.0.4", 7), 20, 7, 0},
		{"account used up: none for addresses that failed", addrs("10.0.5", p.AccountBurst/p.PairBurst), addrs("10.0.5", p.AccountBurst/p.PairBurst), 5, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := NewLoginLimits(p)
			for _, a := range c.before {
				if got, _ := attemptAll(l, "kari", []string{a}, p.PairBurst, now); got != p.PairBurst {
					t.Fatalf("setup at %s: %d checked", a, got)
				}
			}
			got, refused := attemptAll(l, "kari", c.addresses, c.each, now)
			most := max(c.most, c.want)
			if got < c.want || got > most || got+refused != len(c.addresses)*c.each {
				t.Fatalf("%d checked, %d refused; want %d to %d checked", got, refused, c.want, most)
			}
		})
	}
}

// TestLoginLimitsLetTheUserIn: the right password from an address without
// failures gets through however many failures came from elsewhere; the
// guesser's own address stays refused; a success gives back what it took.
func TestLoginLimitsLetTheUserIn(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	l := NewLoginLimits(DefaultLoginPolicy())
	// Guessers at 25 addresses use up every pair and the account.
	attemptAll(l, "kari", addrs("10.9.0", 25), 10, now)
	if a, _ := l.Take("kari", "10.9.0.1", now); a != nil {
		t.Fatal("a guesser's address was let through again")
	}
	for i := range 10 {
		a, _ := l.Take("kari", "192.0.2.7", now)
		if a == nil {
			t.Fatalf("login %d from a clean address refused", i+1)
		}
		a.Done(false)
	}
	// A mistake at the clean address makes it an address that failed.
	a, _ := l.Take("kari", "192.0.2.7", now)
	a.Done(true)
	if a, _ := l.Take("kari", "192.0.2.7", now); a != nil {
		t.Fatal("an address that just failed passed the used-up account limit")
	}
	// A day later it is clean again.
	if a, _ := l.Take("kari", "192.0.2.7", now.Add(24*time.Hour+time.Second)); a == nil {
		t.Fatal("still refused a day after its failure")
	}
	// Another account is untouched.
	if a, _ := l.Take("anna", "10.9.0.1", now); a == nil {
		t.Fatal("another account refused at a guesser's address")
	}
}

// TestCleanPairsStayBounded: failures at ever new names and addresses
// never grow the memory of failed pairs past its bound; the newest stay.
func TestCleanPairsStayBounded(t *testing.T) {
	c := NewCleanPairs(24 * time.Hour)
	c.maxKeys = 100
	now := time.Unix(1_000_000, 0)
	for i := range 1000 {
		c.Fail(fmt.Sprintf("name%d\x00addr", i), now.Add(time.Duration(i)*time.Second))
		if len(c.failed) > c.maxKeys {
			t.Fatalf("after %d failures the memory holds %d", i+1, len(c.failed))
		}
	}
	if c.Claim("name999\x00addr", now.Add(1000*time.Second)) {
		t.Fatal("the newest failure was forgotten")
	}
}
