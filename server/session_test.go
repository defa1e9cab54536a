package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"beredskap/internal/wire"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		body   any
		status int
		code   wire.Code
		ctype  string
	}{
		{"right password", wire.LoginRequest{Username: "anna", Password: "demo"}, 200, "", ""},
		{"username in other case", wire.LoginRequest{Username: "Anna", Password: "demo"}, 200, "", ""},
		{"wrong password", wire.LoginRequest{Username: "nils", Password: "nope"}, 401, wire.CodeUnauthorized, ""},
		{"unknown user", wire.LoginRequest{Username: "nobody", Password: "demo"}, 401, wire.CodeUnauthorized, ""},
		{"broken JSON", `{"username":"anna",`, 400, wire.CodeInvalidInput, ""},
		{"not an object", `[1,2]`, 400, wire.CodeInvalidInput, ""},
		{"unknown field", `{"username":"anna","password":"demo","admin":true}`, 400, wire.CodeInvalidInput, ""},
		{"two values", `{"username":"anna","password":"demo"}{}`, 400, wire.CodeInvalidInput, ""},
		{"empty password", wire.LoginRequest{Username: "anna"}, 400, wire.CodeInvalidInput, ""},
		{"too large", `{"username":"` + strings.Repeat("a", 5000) + `","password":"x"}`, 413, wire.CodeTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var lr wire.LoginResponse
			code, raw := e.call("POST", "/api/v1/session", "", c.body, &lr)
			if code != c.status {
				t.Fatalf("status %d, want %d: %s", code, c.status, raw)
			}
			if c.code != "" {
				if got := errorCode(t, raw); got != c.code {
					t.Fatalf("code %q, want %q", got, c.code)
				}
				return
			}
			if len(lr.Token) < 40 || lr.User.Username != "anna" || len(lr.SignKey) != 32 || len(lr.SealKey) != 32 {
				t.Fatalf("login answer %+v", lr)
			}
			if lr.ServerTime.IsZero() || time.Since(lr.ServerTime) > time.Minute {
				t.Fatalf("server_time %v", lr.ServerTime)
			}
		})
	}
}

func TestLoginRequiresJSONContentType(t *testing.T) {
	e := newEnv(t)
	resp, err := http.Post(e.http.URL+"/api/v1/session", "application/x-www-form-urlencoded", strings.NewReader("username=anna&password=demo"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("form post: %d", resp.StatusCode)
	}
}

func TestLoginRateLimitPerAccount(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "guess"}, nil); code != 401 {
			t.Fatalf("attempt %d: %d %s", i+1, code, raw)
		}
	}
	// The sixth attempt is refused before the password is looked at, even
	// with the right password.
	code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "demo"}, nil)
	if code != 429 || errorCode(t, raw) != wire.CodeRateLimited {
		t.Fatalf("after 5 failures: %d %s", code, raw)
	}
	// Another account is not affected.
	if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "demo"}, nil); code != 200 {
		t.Fatalf("other account: %d %s", code, raw)
	}
}

func TestLoginRateLimitConcurrentGuesses(t *testing.T) {
	e := newEnv(t)
	body, _ := json.Marshal(wire.LoginRequest{Username: "kari", Password: "guess"})
	type answer struct {
		status     int
		raw        []byte
		retryAfter string
		err        error
	}
	const guesses = 20
	answers := make([]answer, guesses)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range answers {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			resp, err := e.http.Client().Post(e.http.URL+"/api/v1/session", "application/json", bytes.NewReader(body))
			if err != nil {
				answers[i].err = err
				return
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			answers[i] = answer{resp.StatusCode, raw, resp.Header.Get("Retry-After"), err}
		}()
	}
	// Sent together, the guesses wait for password hashing side by side;
	// only as many as the account allows may reach it.
	start.Done()
	done.Wait()
	var unauthorized, limited int
	for i, a := range answers {
		if a.err != nil {
			t.Fatalf("guess %d: %v", i, a.err)
		}
		switch {
		case a.status == 401 && errorCode(t, a.raw) == wire.CodeUnauthorized:
			unauthorized++
		case a.status == 429 && errorCode(t, a.raw) == wire.CodeRateLimited:
			if a.retryAfter == "" {
				t.Errorf("guess %d: 429 without Retry-After", i)
			}
			limited++
		default:
			t.Fatalf("guess %d: %d %s", i, a.status, a.raw)
		}
	}
	if unauthorized != 5 || limited != guesses-5 {
		t.Fatalf("%d parallel guesses: %d checked (401), %d refused (429); want 5 and %d", guesses, unauthorized, limited, guesses-5)
	}
	// As after five failures in a row, the right password is refused too.
	code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "demo"}, nil)
	if code != 429 || errorCode(t, raw) != wire.CodeRateLimited {
		t.Fatalf("right password after the guesses: %d %s", code, raw)
	}
}

func TestLoginSuccessDoesNotSpendAttempts(t *testing.T) {
	e := newEnv(t)
	// Four failures leave one attempt; logins with the right password in
	// between must not use it up.
	for i := 0; i < 4; i++ {
		if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "guess"}, nil); code != 401 {
			t.Fatalf("failure %d: %d %s", i+1, code, raw)
		}
	}
	for i := 0; i < 10; i++ {
		e.login("kari")
	}
	if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "guess"}, nil); code != 401 {
		t.Fatalf("fifth failure: %d %s", code, raw)
	}
	code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "demo"}, nil)
	if code != 429 || errorCode(t, raw) != wire.CodeRateLimited {
		t.Fatalf("after five failures: %d %s", code, raw)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	e := newEnv(t)
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		// A different username each time: only the address limit can stop it.
		code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "user" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Password: "x"}, nil)
		switch code {
		case 401:
		case 429:
			if errorCode(t, raw) != wire.CodeRateLimited {
				t.Fatalf("429 with %s", raw)
			}
			limited = true
			if i < 30 {
				t.Fatalf("limited after only %d attempts", i)
			}
		default:
			t.Fatalf("attempt %d: %d %s", i, code, raw)
		}
	}
	if !limited {
		t.Fatal("40 failed logins from one address were never limited")
	}
}

func TestSessionLifecycle(t *testing.T) {
	e := newEnv(t)
	lr := e.login("anna")
	cases := []struct {
		name   string
		token  string
		status int
	}{
		{"no token", "", 401},
		{"garbage token", "abc", 401},
		{"live token", lr.Token, 200},
	}
	for _, c := range cases {
		body := wire.DeviceRequest{PublicKey: make([]byte, 32), Label: "x"}
		if code, raw := e.call("POST", "/api/v1/devices", c.token, body, nil); code != c.status {
			t.Fatalf("%s: %d %s", c.name, code, raw)
		}
	}
	if code, raw := e.call("DELETE", "/api/v1/session", lr.Token, nil, nil); code != 200 {
		t.Fatalf("logout: %d %s", code, raw)
	}
	code, raw := e.call("GET", "/api/v1/bundle", lr.Token, nil, nil)
	if code != 401 || errorCode(t, raw) != wire.CodeUnauthorized {
		t.Fatalf("after logout: %d %s", code, raw)
	}
}

func TestLogoutClearsSiteData(t *testing.T) {
	e := newEnv(t)
	lr := e.login("anna")
	req, _ := http.NewRequest("DELETE", e.http.URL+"/api/v1/session", nil)
	req.Header.Set("Authorization", "Bearer "+lr.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Clear-Site-Data"); got != `"cache"` {
		t.Fatalf("Clear-Site-Data = %q", got)
	}
}

func TestDisabledAccountCannotLogIn(t *testing.T) {
	e := newEnv(t)
	lr := e.login("ole")
	acct, err := e.db.AccountByUsername(t.Context(), "ole")
	if err != nil {
		t.Fatal(err)
	}
	acct.Disabled = true
	if err := e.db.PutAccount(t.Context(), acct); err != nil {
		t.Fatal(err)
	}
	code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "ole", Password: "demo"}, nil)
	if code != 403 || errorCode(t, raw) != wire.CodeForbidden {
		t.Fatalf("disabled login: %d %s", code, raw)
	}
	if code, _ := e.call("GET", "/api/v1/bundle", lr.Token, nil, nil); code != 401 {
		t.Fatalf("disabled account's old session still works: %d", code)
	}
}

func TestRegisterDevice(t *testing.T) {
	e := newEnv(t)
	lr := e.login("nils")
	cases := []struct {
		name   string
		body   any
		status int
	}{
		{"ed25519 key", wire.DeviceRequest{PublicKey: make([]byte, 32), Label: "Nils' phone"}, 200},
		{"short key", wire.DeviceRequest{PublicKey: make([]byte, 31), Label: "x"}, 400},
		{"key not base64", `{"public_key":"***","label":"x"}`, 400},
		{"long label", wire.DeviceRequest{PublicKey: make([]byte, 32), Label: strings.Repeat("x", 101)}, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dr wire.DeviceResponse
			code, raw := e.call("POST", "/api/v1/devices", lr.Token, c.body, &dr)
			if code != c.status {
				t.Fatalf("%d %s", code, raw)
			}
			if code == 200 {
				d, err := e.db.Device(t.Context(), dr.DeviceID)
				if err != nil || d.UserID != lr.User.ID {
					t.Fatalf("stored device %+v, %v", d, err)
				}
			} else if errorCode(t, raw) != wire.CodeInvalidInput {
				t.Fatalf("code: %s", raw)
			}
		})
	}
}

// loginFrom logs in as if from the address given (the test server's
// client always comes from 127.0.0.1).
func (e *testEnv) loginFrom(addr, username, password string) (int, []byte) {
	e.t.Helper()
	body, _ := json.Marshal(wire.LoginRequest{Username: username, Password: password})
	req := httptest.NewRequest("POST", "/api/v1/session", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr + ":40000"
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	if rec.Code == 429 && rec.Header().Get("Retry-After") == "" {
		e.t.Errorf("429 from %s without Retry-After", addr)
	}
	return rec.Code, rec.Body.Bytes()
}

// TestGuessingElsewhereDoesNotLockTheUserOut: many wrong passwords for
// kari from one address no longer keep kari out: from another address
// she logs in, while the guesser's address stays refused, right password
// or not.
func TestGuessingElsewhereDoesNotLockTheUserOut(t *testing.T) {
	e := newEnv(t)
	const attacker, office = "203.0.113.9", "198.51.100.20"
	failed, limited := 0, 0
	for range 40 {
		switch code, raw := e.loginFrom(attacker, "kari", "guess"); code {
		case 401:
			failed++
		case 429:
			if errorCode(t, raw) != wire.CodeRateLimited {
				t.Fatalf("429 with %s", raw)
			}
			limited++
		default:
			t.Fatalf("guess: %d %s", code, raw)
		}
	}
	if failed != 5 || limited != 35 {
		t.Fatalf("40 guesses from one address: %d checked, %d refused; want 5 and 35", failed, limited)
	}
	if code, raw := e.loginFrom(office, "kari", "demo"); code != 200 {
		t.Fatalf("kari from her office after the guesses: %d %s", code, raw)
	}
	if code, raw := e.loginFrom(attacker, "kari", "demo"); code != 429 {
		t.Fatalf("the guesser's address with the right password: %d %s", code, raw)
	}
}

// TestDistributedGuessingIsSlowedPerAccount: guessers spread over many
// addresses use up the account's own limit (20 failures); after that an
// address gets one checked attempt for the account per day (its first
// since a failure), so every further guess needs a new address, while
// kari from a clean address still logs in. An address that failed for
// kari is held to the used-up account limit, even with the right
// password, until its failure is a day old.
func TestDistributedGuessingIsSlowedPerAccount(t *testing.T) {
	e := newEnv(t)
	// kari mistypes once at home before the attack.
	if code, _ := e.loginFrom("192.0.2.50", "kari", "typo"); code != 401 {
		t.Fatalf("typo: %d", code)
	}
	// Guessers at 19 addresses fail once each: with the typo the account
	// has 20 failures, its whole limit, though no pair reached its own.
	for i := range 19 {
		if code, raw := e.loginFrom(fmt.Sprintf("203.0.113.%d", i), "kari", "guess"); code != 401 {
			t.Fatalf("guesser %d: %d %s", i, code, raw)
		}
	}
	for i := range 19 {
		if code, _ := e.loginFrom(fmt.Sprintf("203.0.113.%d", i), "kari", "guess2"); code != 429 {
			t.Fatalf("guesser %d's second guess, account limit used up: %d, want 429", i, code)
		}
	}
	// New addresses get one guess each, then nothing.
	for i := range 10 {
		addr := fmt.Sprintf("198.18.0.%d", i)
		if code, _ := e.loginFrom(addr, "kari", "guess"); code != 401 {
			t.Fatalf("first guess from new address %s: %d, want 401", addr, code)
		}
		if code, _ := e.loginFrom(addr, "kari", "guess2"); code != 429 {
			t.Fatalf("second guess from %s: %d, want 429", addr, code)
		}
	}
	if code, raw := e.loginFrom("198.51.100.20", "kari", "demo"); code != 200 {
		t.Fatalf("kari from a clean address: %d %s", code, raw)
	}
	if code, _ := e.loginFrom("192.0.2.50", "kari", "demo"); code != 429 {
		t.Fatalf("kari at home, where she failed before the attack: %d, want 429", code)
	}
	// Other accounts are not held by kari's limit.
	if code, raw := e.loginFrom("203.0.113.1", "anna", "demo"); code != 200 {
		t.Fatalf("anna from a guesser's address: %d %s", code, raw)
	}
}

// TestParallelGuessesFromACleanAddress: with kari's account limit used
// up, twenty guesses sent at once from a new address get exactly one
// password check between them.
func TestParallelGuessesFromACleanAddress(t *testing.T) {
	e := newEnv(t)
	for i := range 4 {
		for range 5 {
			e.loginFrom(fmt.Sprintf("203.0.113.%d", i), "kari", "guess")
		}
	}
	const guesses = 20
	codes := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = e.loginFrom("198.18.5.5", "kari", "guess")
		}()
	}
	wg.Wait()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[401] != 1 || count[429] != guesses-1 {
		t.Fatalf("answers %v, want one 401 and %d 429", count, guesses-1)
	}
}
