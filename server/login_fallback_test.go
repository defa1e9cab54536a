package server

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Logging in when the identity provider is down (issue 18, item 4). The
// identity provider itself is simulated by auth.Policy: the roles it
// names have their local passwords off unless a provider outage is
// declared.

// fallbackEnv is a server whose identity provider covers workers and
// admins, on a clock the test moves.
type fallbackEnv struct {
	*testEnv
	clock *testClock
}

func newFallbackEnv(t *testing.T, mutate ...func(*Config)) *fallbackEnv {
	t.Helper()
	// At the start of a TOTP step, so that a test knows which codes
	// share one.
	clock := &testClock{t: time.Now().Truncate(auth.TOTPPeriod)}
	e := newEnv(t, append([]func(*Config){func(c *Config) {
		c.Now = clock.Now
		c.AuthPolicy = auth.Policy{OIDCRoles: []care.Role{care.RoleWorker, care.RoleAdmin}}
	}}, mutate...)...)
	return &fallbackEnv{testEnv: e, clock: clock}
}

// account is a demo user's stored account.
func (e *fallbackEnv) account(username string) store.Account {
	e.t.Helper()
	a, err := e.db.AccountByUsername(e.t.Context(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// password logs in with the demo password and returns status and body.
func (e *fallbackEnv) password(username string) (int, []byte) {
	e.t.Helper()
	return e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: username, Password: "demo"}, nil)
}

// enrol gives the user a TOTP secret, as `beredskap user totp` does.
func (e *fallbackEnv) enrol(username string) string {
	e.t.Helper()
	secret, _, err := auth.NewTOTP("Beredskap", username)
	if err != nil {
		e.t.Fatal(err)
	}
	a := e.account(username)
	if err := e.db.PutTOTP(e.t.Context(), store.TOTPSecret{UserID: a.ID, Secret: secret, Enrolled: e.clock.Now()},
		store.Audit{Actor: "cli", Action: store.AuditTOTPEnrol, Subject: a.ID}); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// totp is secret's code on the test's clock.
func (e *fallbackEnv) totp(secret string) string {
	e.t.Helper()
	code, err := auth.TOTPCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return code
}

// wrongTOTP is a code that secret's right ones near now are not.
func (e *fallbackEnv) wrongTOTP(secret string) string {
	e.t.Helper()
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if _, ok := auth.CheckTOTP(secret, c, e.clock.Now()); !ok {
			return c
		}
	}
	e.t.Fatal("no wrong code found")
	return ""
}

// breakGlass logs in with password and TOTP code.
func (e *fallbackEnv) breakGlass(username, password, code string) (int, []byte, wire.LoginResponse) {
	e.t.Helper()
	var lr wire.LoginResponse
	status, raw := e.call("POST", "/api/v1/session/break-glass", "", wire.BreakGlassLoginRequest{Username: username, Password: password, TOTP: code}, &lr)
	return status, raw, lr
}

// adminToken is a session of the demo admin, through the break-glass
// login (the admin's password alone is off: the provider covers admins).
func (e *fallbackEnv) adminToken(secret string) string {
	e.t.Helper()
	status, raw, lr := e.breakGlass("admin", "demo", e.totp(secret))
	if status != 200 {
		e.t.Fatalf("break-glass: %d %s", status, raw)
	}
	// The next login needs the next step's code.
	e.clock.Add(auth.TOTPPeriod)
	return lr.Token
}

func (e *fallbackEnv) declare(token, reason string, hours int) (int, []byte, wire.ProviderOutageStatus) {
	e.t.Helper()
	var st wire.ProviderOutageStatus
	status, raw := e.call("POST", "/api/v1/provider-outage", token, wire.ProviderOutageRequest{Action: "declare", Reason: reason, Hours: hours}, &st)
	return status, raw, st
}

func (e *fallbackEnv) status() wire.ProviderOutageStatus {
	e.t.Helper()
	var st wire.ProviderOutageStatus
	if status, raw := e.call("GET", "/api/v1/provider-outage", "", nil, &st); status != 200 {
		e.t.Fatalf("provider outage status: %d %s", status, raw)
	}
	return st
}

func (e *fallbackEnv) fallback(username, code string) (int, []byte, wire.LoginResponse) {
	e.t.Helper()
	var lr wire.LoginResponse
	status, raw := e.call("POST", "/api/v1/session/fallback", "", wire.FallbackLoginRequest{Username: username, Code: code}, &lr)
	return status, raw, lr
}

func (e *fallbackEnv) issueSheet(token, username string) []string {
	e.t.Helper()
	var sr wire.FallbackSheetResponse
	if status, raw := e.call("POST", "/api/v1/users/"+e.account(username).ID+"/fallback-codes", token, nil, &sr); status != 200 {
		e.t.Fatalf("issue sheet for %s: %d %s", username, status, raw)
	}
	return sr.Codes
}

// refusedWith checks a refusal's status, code and catalogue key.
func refusedWith(t *testing.T, what string, status int, raw []byte, wantStatus int, wantKey string) {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(raw, &eb); err != nil || status != wantStatus || eb.Error.Key != wantKey || eb.Error.Message == "" {
		t.Fatalf("%s: %d %s, want %d with key %s", what, status, raw, wantStatus, wantKey)
	}
}

// audited returns the actions of the audit entries about subject whose
// action is one of actions, with their details.
func (e *fallbackEnv) audited(subject string, actions ...string) []store.AuditEntry {
	e.t.Helper()
	all, err := e.db.AuditFor(e.t.Context(), subject)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, a := range all {
		if slices.Contains(actions, a.Action) {
			out = append(out, a)
		}
	}
	return out
}

// TestPasswordLoginIsUnchangedWithoutAProvider: with no role covered,
// every demo user logs in with a password as before, and nothing about
// provider outages is needed.
func TestPasswordLoginIsUnchangedWithoutAProvider(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"anna", "nils", "kari", "admin"} {
		e.login(u)
	}
	if code, raw := e.call("GET", "/api/v1/provider-outage", "", nil, nil); code != 200 || strings.TrimSpace(string(raw)) != `{"active":false}` {
		t.Fatalf("status without a declaration: %d %s", code, raw)
	}
}

// TestProviderOutageDeclaration: only an admin declares, a reason is
// required, the hours are bounded, one at a time, audited; the public
// status shows active, reason and until, nothing else.
func TestProviderOutageDeclaration(t *testing.T) {
	e := newFallbackEnv(t)
	admin := e.adminToken(e.enrol("admin"))
	kari := e.login("kari").Token // coordinators are not covered

	if st := e.status(); st.Active || st.Reason != "" || st.Until != nil {
		t.Fatalf("before: %+v", st)
	}
	if status, raw, _ := e.declare(kari, "HelseID svarer ikke", 0); status != 403 {
		t.Fatalf("a coordinator declares: %d %s", status, raw)
	}
	for _, reason := range []string{"", "   \n"} {
		status, raw, _ := e.declare(admin, reason, 0)
		refusedWith(t, "no reason", status, raw, 400, care.KeyRequired)
	}
	status, raw, _ := e.declare(admin, "HelseID svarer ikke", 9)
	refusedWith(t, "nine hours of eight", status, raw, 400, keyProviderOutageHours)
	if status, raw := e.call("POST", "/api/v1/provider-outage", admin, wire.ProviderOutageRequest{Action: "pause"}, nil); status != 400 {
		t.Fatalf("an unknown action: %d %s", status, raw)
	}
	if all, _ := e.db.ProviderOutages(t.Context(), 0); len(all) != 0 {
		t.Fatalf("refused declarations were stored: %+v", all)
	}

	declared := e.clock.Now().UTC()
	status, raw, st := e.declare(admin, "  HelseID svarer ikke  ", 0)
	if status != 200 || !st.Active || st.Reason != "HelseID svarer ikke" || st.Until == nil || !st.Until.Equal(declared.Add(DefaultProviderOutageMax)) {
		t.Fatalf("declare: %d %s", status, raw)
	}
	if got := e.status(); !got.Active || got.Reason != st.Reason || !got.Until.Equal(*st.Until) {
		t.Fatalf("the public status: %+v", got)
	}
	_, raw = e.call("GET", "/api/v1/provider-outage", "", nil, nil)
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil || len(fields) != 3 {
		t.Fatalf("the public status holds more than active, reason and until: %s", raw)
	}
	status, raw, _ = e.declare(admin, "again", 2)
	refusedWith(t, "a second declaration", status, raw, 409, keyProviderOutageState)

	all, err := e.db.ProviderOutages(t.Context(), 0)
	if err != nil || len(all) != 1 {
		t.Fatalf("declarations: %+v, %v", all, err)
	}
	entries := e.audited(all[0].ID, store.AuditProviderOutageDeclare)
	if len(entries) != 1 || entries[0].Actor != e.account("admin").ID || !strings.Contains(entries[0].Detail, `reason="HelseID svarer ikke"`) ||
		!strings.Contains(entries[0].Detail, "until="+st.Until.Format(time.RFC3339)) {
		t.Fatalf("audit of the declaration: %+v", entries)
	}
}

// TestProviderOutageFromDeclarationToExpiry is the outage's whole
// course: passwords off for the covered roles, the admin in through
// break-glass, the outage declared, passwords and a fallback code work
// (the code a second time does not), the outage ends by itself at its
// hours, and everything is off again.
func TestProviderOutageFromDeclarationToExpiry(t *testing.T) {
	e := newFallbackEnv(t)
	secret := e.enrol("admin")

	// No outage: the covered roles' passwords are off; the others' work.
	for _, u := range []string{"anna", "admin"} {
		status, raw := e.password(u)
		refusedWith(t, u+"'s password without an outage", status, raw, 403, keyPasswordOff)
		if got := e.audited(e.account(u).ID, store.AuditPasswordOff); len(got) != 1 {
			t.Fatalf("%s's refusal audited %d times", u, len(got))
		}
	}
	for _, u := range []string{"nils", "kari"} {
		if status, raw := e.password(u); status != 200 {
			t.Fatalf("%s (not covered): %d %s", u, status, raw)
		}
	}
	// A wrong password is wrong as always: the refusal above tells only
	// who knows the password.
	if status, _ := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "anna", Password: "nope"}, nil); status != 401 {
		t.Fatalf("anna's wrong password: %d", status)
	}

	admin := e.adminToken(secret)
	codes := e.issueSheet(admin, "anna")
	status, raw, _ := e.fallback("anna", codes[0])
	refusedWith(t, "a code before the outage", status, raw, 403, keyFallbackNoOutage)

	if status, raw, _ := e.declare(admin, "HelseID er nede", 3); status != 200 {
		t.Fatalf("declare: %d %s", status, raw)
	}
	if status, raw := e.password("anna"); status != 200 {
		t.Fatalf("anna's password during the outage: %d %s", status, raw)
	}
	if status, raw := e.password("admin"); status != 200 {
		t.Fatalf("admin's password during the outage: %d %s", status, raw)
	}
	if status, raw, lr := e.fallback("anna", codes[0]); status != 200 || lr.User.Username != "anna" {
		t.Fatalf("anna's first code: %d %s", status, raw)
	}
	status, raw, _ = e.fallback("anna", codes[0])
	refusedWith(t, "the same code twice", status, raw, 401, keyFallbackUsed)

	// Three hours later it is over by itself: nothing had to run.
	e.clock.Add(3*time.Hour - time.Second)
	if status, raw := e.password("anna"); status != 200 {
		t.Fatalf("a second before its end: %d %s", status, raw)
	}
	e.clock.Add(time.Second)
	if st := e.status(); st.Active {
		t.Fatalf("still active at its end: %+v", st)
	}
	status, raw = e.password("anna")
	refusedWith(t, "anna's password after the outage", status, raw, 403, keyPasswordOff)
	status, raw, _ = e.fallback("anna", codes[1])
	refusedWith(t, "a fresh code after the outage", status, raw, 403, keyFallbackNoOutage)
	// Break-glass works after it as before it.
	if status, raw, _ := e.breakGlass("admin", "demo", e.totp(secret)); status != 200 {
		t.Fatalf("break-glass after the outage: %d %s", status, raw)
	}
	// And a new outage may be declared.
	if status, raw, _ := e.declare(admin, "HelseID nede igjen", 0); status != 200 {
		t.Fatalf("declare after the expiry: %d %s", status, raw)
	}
}

// TestProviderOutageEndedEarly: an admin ends the outage before its
// hours; the end is audited and passwords are off at once.
func TestProviderOutageEndedEarly(t *testing.T) {
	e := newFallbackEnv(t)
	admin := e.adminToken(e.enrol("admin"))
	end := wire.ProviderOutageRequest{Action: "end"}
	status, raw := e.call("POST", "/api/v1/provider-outage", admin, end, nil)
	refusedWith(t, "end with none declared", status, raw, 409, keyProviderOutageState)
	if status, raw, _ := e.declare(admin, "ID-porten nede", 0); status != 200 {
		t.Fatalf("declare: %d %s", status, raw)
	}
	if status, _ := e.password("anna"); status != 200 {
		t.Fatalf("anna during the outage: %d", status)
	}
	e.clock.Add(time.Hour)
	var st wire.ProviderOutageStatus
	if status, raw := e.call("POST", "/api/v1/provider-outage", admin, end, &st); status != 200 || st.Active {
		t.Fatalf("end: %d %s", status, raw)
	}
	status, raw = e.password("anna")
	refusedWith(t, "anna after the end", status, raw, 403, keyPasswordOff)
	status, raw = e.call("POST", "/api/v1/provider-outage", admin, end, nil)
	refusedWith(t, "a second end", status, raw, 409, keyProviderOutageState)
	all, _ := e.db.ProviderOutages(t.Context(), 0)
	if len(all) != 1 || all[0].End == nil || !all[0].End.Equal(e.clock.Now().UTC()) {
		t.Fatalf("the outage after its end: %+v", all)
	}
	entries := e.audited(all[0].ID, store.AuditProviderOutageDeclare, store.AuditProviderOutageEnd)
	if len(entries) != 2 || entries[1].Action != store.AuditProviderOutageEnd || entries[1].Actor != e.account("admin").ID {
		t.Fatalf("audit: %+v", entries)
	}
}

// TestFallbackCodes: a code logs in once, with what a password login
// gives; only its own user; only the current sheet's; typed loosely;
// never shown again; each step audited.
func TestFallbackCodes(t *testing.T) {
	e := newFallbackEnv(t)
	admin := e.adminToken(e.enrol("admin"))
	anna, kari := e.account("anna"), e.account("kari")

	var none wire.FallbackSheetStatus
	if status, raw := e.call("GET", "/api/v1/users/"+anna.ID+"/fallback-codes", admin, nil, &none); status != 200 || none.Issued {
		t.Fatalf("status before a sheet: %d %s", status, raw)
	}
	codes := e.issueSheet(admin, "anna")
	if len(codes) != auth.FallbackSheetSize {
		t.Fatalf("%d codes on a sheet", len(codes))
	}
	kariCodes := e.issueSheet(admin, "kari")
	if status, raw, _ := e.declare(admin, "Entra ID nede", 0); status != 200 {
		t.Fatalf("declare: %d %s", status, raw)
	}

	// What a code login gives is what a password login gives.
	status, raw, lr := e.fallback("anna", codes[0])
	if status != 200 || lr.Token == "" || lr.User.ID != anna.ID || lr.User.Role != care.RoleWorker || lr.KeyID != e.keys.KeyID() {
		t.Fatalf("a code: %d %s", status, raw)
	}
	_, pwRaw := e.password("nils")
	var byCode, byPassword map[string]json.RawMessage
	if json.Unmarshal(raw, &byCode) != nil || json.Unmarshal(pwRaw, &byPassword) != nil || len(byCode) != len(byPassword) {
		t.Fatalf("a code login's answer %s differs in shape from a password login's %s", raw, pwRaw)
	}
	for _, k := range []string{"sign_key", "seal_key", "key_id"} {
		if string(byCode[k]) != string(byPassword[k]) {
			t.Fatalf("%s differs: %s, %s", k, byCode[k], byPassword[k])
		}
	}
	phone := e.testEnv
	deviceID, _ := phone.device(lr.Token)
	if status, raw := e.call("GET", "/api/v1/bundle", lr.Token, nil, nil); status != 200 || deviceID == "" {
		t.Fatalf("the code's session fetches no bundle: %d %s", status, raw)
	}

	status, raw, _ = e.fallback("anna", codes[0])
	refusedWith(t, "the same code again", status, raw, 401, keyFallbackUsed)
	loose := strings.ToLower(strings.ReplaceAll(codes[1], "-", " "))
	if status, raw, _ := e.fallback("Anna", loose); status != 200 {
		t.Fatalf("a code typed in lower case with spaces: %d %s", status, raw)
	}
	status, raw, _ = e.fallback("anna", kariCodes[0])
	refusedWith(t, "kari's code for anna", status, raw, 401, keyFallbackWrong)
	status, raw, _ = e.fallback("nobody", codes[2])
	refusedWith(t, "a code of no user", status, raw, 401, keyFallbackWrong)
	status, raw, _ = e.fallback("anna", "not-a-code")
	refusedWith(t, "not a code", status, raw, 401, keyFallbackWrong)
	if status, raw, _ := e.fallback("kari", kariCodes[0]); status != 200 {
		t.Fatalf("kari's own code: %d %s", status, raw)
	}

	var st wire.FallbackSheetStatus
	if status, raw := e.call("GET", "/api/v1/users/"+anna.ID+"/fallback-codes", admin, nil, &st); status != 200 || !st.Issued || st.Total != 10 || st.Left != 8 {
		t.Fatalf("anna's sheet: %d %s", status, raw)
	}
	if strings.Contains(string(raw), codes[3]) {
		t.Fatal("the status shows a code")
	}

	// A new sheet: the old one's unused codes stop working.
	newCodes := e.issueSheet(admin, "anna")
	status, raw, _ = e.fallback("anna", codes[3])
	refusedWith(t, "a code of the old sheet", status, raw, 401, keyFallbackWrong)
	if status, raw, _ := e.fallback("anna", newCodes[3]); status != 200 {
		t.Fatalf("a code of the new sheet: %d %s", status, raw)
	}

	// Stored as hashes only.
	sheet, err := e.db.FallbackSheet(t.Context(), anna.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(sheet)
	for _, c := range newCodes {
		n, _ := auth.NormalizeFallbackCode(c)
		if strings.Contains(string(b), n) || strings.Contains(string(b), c) {
			t.Fatal("the store holds a code in clear")
		}
	}

	count := func(subject, action, detail string) int {
		n := 0
		for _, a := range e.audited(subject, action) {
			if strings.Contains(a.Detail, detail) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		subject, action, detail string
		want                    int
	}{
		{anna.ID, store.AuditFallbackIssue, "codes=10", 2},
		{anna.ID, store.AuditFallbackUse, "sheet=", 3},
		{anna.ID, store.AuditFallbackRefused, "reason=used", 1},
		{anna.ID, store.AuditFallbackRefused, "reason=wrong", 3},
		{kari.ID, store.AuditFallbackUse, "code=1", 1},
	} {
		if got := count(c.subject, c.action, c.detail); got != c.want {
			t.Errorf("audit %s %s: %d, want %d", c.action, c.detail, got, c.want)
		}
	}
	// The session's own login entry says how it was made.
	log, err := e.db.AuditLog(t.Context(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	logins := 0
	for _, a := range log {
		if a.Action == store.AuditLogin && a.Actor == anna.ID && strings.Contains(a.Detail, "via=fallback_code") {
			logins++
		}
	}
	if logins != 3 {
		t.Errorf("%d logins of anna's by code in the audit log, want 3", logins)
	}
}

// TestFallbackAndBreakGlassAreThrottled: a wrong code and a wrong TOTP
// code are failed logins: once the limit is spent, even the right one
// waits.
func TestFallbackAndBreakGlassAreThrottled(t *testing.T) {
	policy := auth.DefaultLoginPolicy()
	policy.PairBurst, policy.AccountBurst = 3, 3
	e := newFallbackEnv(t, func(c *Config) { c.LoginPolicy = policy })
	secret := e.enrol("admin")
	admin := e.adminToken(secret)
	codes := e.issueSheet(admin, "anna")
	if status, raw, _ := e.declare(admin, "HelseID nede", 0); status != 200 {
		t.Fatalf("declare: %d %s", status, raw)
	}
	wrongCode := "0000-0000-0000-0000-0000-0000"
	for i := range 3 {
		if status, _, _ := e.fallback("anna", wrongCode); status != 401 {
			t.Fatalf("wrong code %d: %d", i, status)
		}
	}
	status, raw, _ := e.fallback("anna", codes[0])
	refusedWith(t, "the right code after three wrong", status, raw, 429, keyRateLimited)

	for i := range 3 {
		if status, _, _ := e.breakGlass("admin", "demo", e.wrongTOTP(secret)); status != 401 {
			t.Fatalf("wrong TOTP %d: %d", i, status)
		}
	}
	status, raw, _ = e.breakGlass("admin", "demo", e.totp(secret))
	refusedWith(t, "the right TOTP after three wrong", status, raw, 429, keyRateLimited)
	e.clock.Add(time.Hour) // the limits refill
	if status, raw, _ := e.breakGlass("admin", "demo", e.totp(secret)); status != 200 {
		t.Fatalf("an hour later: %d %s", status, raw)
	}
}

// TestBreakGlass: password and TOTP log an admin in with or without an
// outage; a wrong code, a wrong password, a reused code, a non-admin and
// an admin without a secret are refused and audited; every use is on the
// desk.
func TestBreakGlass(t *testing.T) {
	e := newFallbackEnv(t)
	admin := e.account("admin")
	secret := e.enrol("admin")

	status, raw, _ := e.breakGlass("admin", "demo", e.wrongTOTP(secret))
	refusedWith(t, "a wrong TOTP code", status, raw, 401, keyBreakGlassWrong)
	status, raw, _ = e.breakGlass("admin", "wrong password", e.totp(secret))
	refusedWith(t, "a wrong password with the right code", status, raw, 401, keyBreakGlassWrong)
	code := e.totp(secret)
	status, raw, lr := e.breakGlass("admin", "demo", code)
	if status != 200 || lr.User.ID != admin.ID || lr.Token == "" {
		t.Fatalf("break-glass without an outage: %d %s", status, raw)
	}
	if status, raw := e.call("GET", "/api/v1/users", lr.Token, nil, nil); status != 200 {
		t.Fatalf("the break-glass session is not an admin's: %d %s", status, raw)
	}
	status, raw, _ = e.breakGlass("admin", "demo", code)
	refusedWith(t, "the same code again", status, raw, 401, keyTOTPReused)
	// Still refused later in its step, and in the next step, where it
	// is still accepted as the phone's clock being behind.
	for range 2 {
		e.clock.Add(auth.TOTPPeriod / 2)
		status, raw, _ = e.breakGlass("admin", "demo", code)
		refusedWith(t, "the same code later in its window", status, raw, 401, keyTOTPReused)
	}
	// Five refusals (a reuse counts as a failed login too) spent the
	// address's attempts for the account; ten minutes give some back.
	e.clock.Add(10 * time.Minute)
	if status, raw, _ := e.breakGlass("admin", "demo", e.totp(secret)); status != 200 {
		t.Fatalf("the next step's code: %d %s", status, raw)
	}

	// A coordinator with a secret (put there by hand: the CLI enrols
	// admins only) is still no admin.
	kariSecret := e.enrol("kari")
	status, raw, _ = e.breakGlass("kari", "demo", e.totp(kariSecret))
	refusedWith(t, "a coordinator's break-glass", status, raw, 401, keyBreakGlassWrong)

	// During an outage it works the same.
	if status, raw, _ := e.declare(lr.Token, "HelseID nede", 0); status != 200 {
		t.Fatalf("declare: %d %s", status, raw)
	}
	e.clock.Add(auth.TOTPPeriod)
	if status, raw, _ := e.breakGlass("admin", "demo", e.totp(secret)); status != 200 {
		t.Fatalf("break-glass during an outage: %d %s", status, raw)
	}

	// The desk lists the uses, newest first, with the admin's name.
	kari := e.login("kari").Token
	var uses wire.BreakGlassUsesResponse
	if status, raw := e.call("GET", "/api/v1/break-glass", kari, nil, &uses); status != 200 || len(uses.Uses) != 3 ||
		uses.Uses[0].Username != "admin" || uses.Uses[0].Name != admin.Name || !uses.Uses[0].At.After(uses.Uses[2].At) {
		t.Fatalf("the desk's list: %d %s", status, raw)
	}
	if status, _ := e.call("GET", "/api/v1/break-glass", e.login("nils").Token, nil, nil); status != 403 {
		t.Fatalf("a nurse reads the list: %d", status)
	}

	reasons := map[string]int{}
	for _, a := range e.audited(admin.ID, store.AuditBreakGlassRefused) {
		for _, f := range strings.Fields(a.Detail) {
			if r, ok := strings.CutPrefix(f, "reason="); ok {
				reasons[r]++
			}
		}
	}
	if reasons["wrong_totp"] != 1 || reasons["wrong_password"] != 1 || reasons["reused_totp"] < 1 {
		t.Fatalf("refusals audited: %v", reasons)
	}
	if got := e.audited(admin.ID, store.AuditBreakGlass); len(got) != 3 {
		t.Fatalf("%d uses audited, want 3", len(got))
	}
	if got := e.audited(e.account("kari").ID, store.AuditBreakGlassRefused); len(got) != 1 || !strings.Contains(got[0].Detail, "reason=not_admin") {
		t.Fatalf("kari's refusal: %+v", got)
	}
}
