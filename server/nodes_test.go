package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/seal"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Two nodes, A and B, over one PostgreSQL database (nodes_helpers_test.go),
// each test through HTTP only: what one node did, the other knows, as
// issue 17 asks of "any number of nodes over one database".

// TestTwoNodesSessions: a session begun on A is a session on B, and one
// ended on B (by logging out, or by its account being disabled there) is
// ended on A.
func TestTwoNodesSessions(t *testing.T) {
	n := newTwoNodes(t)
	anna := n.A.login("anna")
	kari := n.A.login("kari")
	admin := n.B.login("admin")
	pub, _, err := seal.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	var deviceID string
	steps := []struct {
		name   string
		e      *testEnv
		method string
		path   string
		token  string
		body   any
		status int
		code   wire.Code
		check  func(t *testing.T, raw []byte)
	}{
		{"register a device on B with A's session", n.B, "POST", "/api/v1/devices", anna.Token,
			wire.DeviceRequest{PublicKey: pub, Label: "Annas telefon"}, 200, "", func(t *testing.T, raw []byte) {
				var dr wire.DeviceResponse
				if err := json.Unmarshal(raw, &dr); err != nil || dr.DeviceID == "" {
					t.Fatalf("device answer %s", raw)
				}
				deviceID = dr.DeviceID
			}},
		{"choose a language on B", n.B, "PUT", "/api/v1/me/lang", anna.Token, wire.LangRequest{Lang: "sv"}, 200, "", nil},
		{"the bundle on A is for the device B registered", n.A, "GET", "/api/v1/bundle", anna.Token, nil, 200, "", func(t *testing.T, raw []byte) {
			var br wire.BundleResponse
			var b wire.Bundle
			if err := json.Unmarshal(raw, &br); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(br.Bundle, &b); err != nil || b.DeviceID != deviceID || b.UserID != anna.User.ID {
				t.Fatalf("bundle for %s/%s, want %s/%s (%v)", b.UserID, b.DeviceID, anna.User.ID, deviceID, err)
			}
		}},
		{"the bundle on B", n.B, "GET", "/api/v1/bundle", anna.Token, nil, 200, "", nil},
		{"log out on B", n.B, "DELETE", "/api/v1/session", anna.Token, nil, 200, "", nil},
		{"the token on A after the logout on B", n.A, "GET", "/api/v1/bundle", anna.Token, nil, 401, wire.CodeUnauthorized, nil},
		{"register a device on A after the logout", n.A, "POST", "/api/v1/devices", anna.Token,
			wire.DeviceRequest{PublicKey: pub, Label: "x"}, 401, wire.CodeUnauthorized, nil},
		{"log out on A again", n.A, "DELETE", "/api/v1/session", anna.Token, nil, 401, wire.CodeUnauthorized, nil},
		{"the token on B after the logout", n.B, "PUT", "/api/v1/me/lang", anna.Token, wire.LangRequest{Lang: "da"}, 401, wire.CodeUnauthorized, nil},
		{"kari's session on B", n.B, "GET", "/api/v1/outage", kari.Token, nil, 200, "", nil},
		{"the admin disables kari on B", n.B, "POST", "/api/v1/users/" + kari.User.ID + "/disable", admin.Token, nil, 200, "", nil},
		{"kari's session on A after she was disabled on B", n.A, "GET", "/api/v1/outage", kari.Token, nil, 401, wire.CodeUnauthorized, nil},
		{"kari logs in on A", n.A, "POST", "/api/v1/session", "", wire.LoginRequest{Username: "kari", Password: "demo"}, 403, wire.CodeForbidden, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, raw := s.e.call(s.method, s.path, s.token, s.body, nil)
			if code != s.status {
				t.Fatalf("%s %s: %d %s, want %d", s.method, s.path, code, raw, s.status)
			}
			if s.code != "" && errorCode(t, raw) != s.code {
				t.Fatalf("code %s, want %s", raw, s.code)
			}
			if s.check != nil {
				s.check(t, raw)
			}
		})
	}
	// The language chosen on B comes with the next login on A.
	if lr := n.A.login("anna"); lr.User.Lang != "sv" {
		t.Fatalf("login on A after choosing Swedish on B: lang %q", lr.User.Lang)
	}
	n.checkAudit(map[string]int{store.AuditLogin: 4, store.AuditDevice: 1, store.AuditBundle: 2, store.AuditUserDisable: 1})
}

// TestTwoNodesLoginThrottle: failed logins spread over A and B count
// together: every limit of the single-node tests (session_test.go) comes
// after the same number of tries in all, whichever node they reached.
func TestTwoNodesLoginThrottle(t *testing.T) {
	n := newTwoNodes(t)
	nodes := [2]*testEnv{n.A, n.B}
	guess := func(e *testEnv, user, password string) (int, []byte) {
		return e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: user, Password: password}, nil)
	}

	t.Run("five failures for an account, taking turns", func(t *testing.T) {
		for i := range 5 {
			if code, raw := guess(nodes[i%2], "kari", "guess"); code != 401 {
				t.Fatalf("failure %d on %c: %d %s", i+1, 'A'+i%2, code, raw)
			}
		}
		for _, nd := range n.both() {
			code, raw := guess(nd.e, "kari", "demo")
			if code != 429 || errorCode(t, raw) != wire.CodeRateLimited {
				t.Fatalf("the right password on %s after five failures: %d %s", nd.name, code, raw)
			}
		}
		if code, raw := guess(n.B, "anna", "demo"); code != 200 {
			t.Fatalf("another account: %d %s", code, raw)
		}
	})

	t.Run("guesses sent to both at once", func(t *testing.T) {
		const guesses = 20
		calls := make([]func() answer, guesses)
		for i := range calls {
			e := nodes[i%2]
			calls[i] = func() answer {
				return post(e.http.Client(), e.http.URL+"/api/v1/session", "", wire.LoginRequest{Username: "ole", Password: "guess"})
			}
		}
		count := map[int]int{}
		for i, a := range atOnce(calls...) {
			if a.err != nil {
				t.Fatalf("guess %d: %v", i, a.err)
			}
			if a.status != 401 && a.status != 429 {
				t.Fatalf("guess %d: %d %s", i, a.status, a.raw)
			}
			count[a.status]++
		}
		if count[401] != 5 || count[429] != guesses-5 {
			t.Fatalf("%d guesses at once over two nodes: %v; want five checked (401), the rest refused (429)", guesses, count)
		}
		if code, _ := guess(n.B, "ole", "demo"); code != 429 {
			t.Fatalf("the right password after the guesses: %d", code)
		}
	})

	t.Run("one address, many names", func(t *testing.T) {
		// The limit per address (30) over both nodes: a different name
		// each time, so that only it can stop the guesses.
		const addr = "192.0.2.77"
		limited := -1
		for i := 0; i < 40 && limited < 0; i++ {
			code, raw := nodes[i%2].loginFrom(addr, fmt.Sprintf("nobody%d", i), "x")
			switch code {
			case 401:
			case 429:
				limited = i
			default:
				t.Fatalf("attempt %d: %d %s", i, code, raw)
			}
		}
		if limited < 30 {
			t.Fatalf("limited after %d attempts over two nodes, want 30 (-1: never, in 40)", limited)
		}
	})

	t.Run("guessers at many addresses", func(t *testing.T) {
		// As TestDistributedGuessingIsSlowedPerAccount, each guesser's
		// tries alternating between the nodes.
		if code, _ := n.A.loginFrom("192.0.2.50", "sara", "typo"); code != 401 {
			t.Fatalf("typo: %d", code)
		}
		for i := range 19 {
			if code, raw := nodes[i%2].loginFrom(fmt.Sprintf("203.0.113.%d", i), "sara", "guess"); code != 401 {
				t.Fatalf("guesser %d: %d %s", i, code, raw)
			}
		}
		for i := range 19 {
			if code, _ := nodes[(i+1)%2].loginFrom(fmt.Sprintf("203.0.113.%d", i), "sara", "guess2"); code != 429 {
				t.Fatalf("guesser %d's second guess, on the other node, account limit used up: %d, want 429", i, code)
			}
		}
		for i := range 10 {
			addr := fmt.Sprintf("198.18.0.%d", i)
			if code, _ := nodes[i%2].loginFrom(addr, "sara", "guess"); code != 401 {
				t.Fatalf("first guess from new address %s: %d, want 401", addr, code)
			}
			if code, _ := nodes[(i+1)%2].loginFrom(addr, "sara", "guess2"); code != 429 {
				t.Fatalf("second guess from %s, on the other node: %d, want 429", addr, code)
			}
		}
		if code, raw := n.B.loginFrom("198.51.100.20", "sara", "demo"); code != 200 {
			t.Fatalf("sara from a clean address: %d %s", code, raw)
		}
		for _, nd := range n.both() {
			if code, _ := nd.e.loginFrom("192.0.2.50", "sara", "demo"); code != 429 {
				t.Fatalf("sara at home on %s, where she failed before the attack: %d, want 429", nd.name, code)
			}
		}
	})
	n.checkAudit(map[string]int{store.AuditLoginFailed: 5 + 5 + 30 + 1 + 19 + 10})
}

// TestTwoNodesDevices: a device registered on A is B's to sync from,
// with its sequence numbers counted over both; revoked on B, it is
// refused and its records held on A.
func TestTwoNodesDevices(t *testing.T) {
	n := newTwoNodes(t)
	onA := n.A.phone("nils")
	onB := onA.on(n.B)
	own := onA.ownPatient()
	r1, r2, r3 := onA.note(own, "1"), onA.note(own, "2"), onA.note(own, "3")
	kari := n.B.login("kari").Token
	findGap := func(e *testEnv) ([]uint64, error) {
		var fr wire.FindingsResponse
		if code, raw := e.call("GET", "/api/v1/findings?kind="+wire.FindingSequenceGap, kari, nil, &fr); code != 200 {
			return nil, fmt.Errorf("findings: %d %s", code, raw)
		}
		for _, f := range fr.Findings {
			if f.DeviceID == onA.deviceID && f.Resolved == nil {
				return f.MissingSeqs, nil
			}
		}
		return nil, nil
	}
	seqsOn := func(t *testing.T, e *testEnv, ids ...string) []uint64 {
		t.Helper()
		var out []uint64
		for _, id := range ids {
			var v wire.RecordView
			if code, raw := e.call("GET", "/api/v1/records/"+id, kari, nil, &v); code != 200 {
				t.Fatalf("record %s: %d %s", id, code, raw)
			}
			if v.DeviceID != onA.deviceID {
				t.Fatalf("record %s from device %s, want %s", id, v.DeviceID, onA.deviceID)
			}
			out = append(out, v.Seq)
		}
		return out
	}

	// Numbers 1 and 3 through B, from the device A registered.
	if code, resp, raw := onB.sync(onB.sealRecord(r1), onB.sealRecord(r3)); code != 200 ||
		len(resp.Results) != 2 || resp.Results[0].Status != wire.SyncAccepted || resp.Results[1].Status != wire.SyncAccepted {
		t.Fatalf("sync on B: %d %s", code, raw)
	}
	if got := seqsOn(t, n.A, r1.ID, r3.ID); !slices.Equal(got, []uint64{1, 3}) {
		t.Fatalf("seqs on A %v", got)
	}
	for _, nd := range n.both() {
		eventually(t, "the gap at 2 on "+nd.name, func() error {
			missing, err := findGap(nd.e)
			if err == nil && !slices.Equal(missing, []uint64{2}) {
				err = fmt.Errorf("missing %v, want [2]", missing)
			}
			return err
		})
	}
	// Number 2 through A closes the gap on both.
	if code, resp, raw := onA.sync(onA.sealRecord(r2)); code != 200 || resp.Results[0].Status != wire.SyncAccepted {
		t.Fatalf("sync on A: %d %s", code, raw)
	}
	for _, nd := range n.both() {
		eventually(t, "no gap on "+nd.name, func() error {
			missing, err := findGap(nd.e)
			if err == nil && missing != nil {
				err = fmt.Errorf("still missing %v", missing)
			}
			return err
		})
	}
	if got := seqsOn(t, n.B, r1.ID, r2.ID, r3.ID); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("seqs on B %v", got)
	}

	// Revoked on B.
	admin := n.B.login("admin").Token
	var dv wire.DeviceView
	if code, raw := n.B.call("POST", "/api/v1/devices/"+onA.deviceID+"/revoke", admin, nil, &dv); code != 200 || dv.Revoked == nil {
		t.Fatalf("revoke on B: %d %s", code, raw)
	}
	pub, _, _ := seal.NewSigningKey()
	refused := []struct {
		name         string
		method, path string
		body         any
	}{
		{"a bundle", "GET", "/api/v1/bundle", nil},
		{"a new device key", "POST", "/api/v1/devices", wire.DeviceRequest{PublicKey: pub, Label: "another"}},
		{"a language", "PUT", "/api/v1/me/lang", wire.LangRequest{Lang: "en"}},
	}
	for _, c := range refused {
		t.Run("revoked on B, "+c.name+" on A", func(t *testing.T) {
			code, raw := n.A.call(c.method, c.path, onA.login.Token, c.body, nil)
			if code != 403 || errorCode(t, raw) != wire.CodeDeviceRevoked {
				t.Fatalf("%d %s, want 403 device_revoked", code, raw)
			}
		})
	}
	late := onA.note(own, "Written before the phone was lost")
	code, resp, raw := onA.sync(onA.sealRecord(late))
	if code != 200 || !resp.Wipe || len(resp.Results) != 1 || resp.Results[0].Status != wire.SyncQuarantined {
		t.Fatalf("sync on A from the device revoked on B: %d %s", code, raw)
	}
	var v wire.RecordView
	if code, raw := n.B.call("GET", "/api/v1/records/"+late.ID, kari, nil, &v); code != 200 || !v.Quarantined || v.Seq != 4 {
		t.Fatalf("the held record on B: %d %s", code, raw)
	}
	n.checkAudit(map[string]int{store.AuditSync: 3, store.AuditQuarantine: 1, store.AuditDevice: 1, store.AuditDeviceRevoke: 1})
}

// TestTwoNodesBundles: both nodes sign with the same key and open with
// the same key, and what one issued the other knows: a bundle issued on
// A verifies with the key B gives at login (and the reverse), a record
// sealed to A's key is opened on B, which authorises it by the bundle A
// issued, and both nodes show that bundle and its issue alike.
func TestTwoNodesBundles(t *testing.T) {
	n := newTwoNodes(t)
	type issue struct {
		login  wire.LoginResponse
		resp   wire.BundleResponse
		bundle wire.Bundle
	}
	issueOn := func(e *testEnv, user string) issue {
		t.Helper()
		var is issue
		is.login = e.login(user)
		e.device(is.login.Token)
		if code, raw := e.call("GET", "/api/v1/bundle", is.login.Token, nil, &is.resp); code != 200 {
			t.Fatalf("bundle: %d %s", code, raw)
		}
		if err := json.Unmarshal(is.resp.Bundle, &is.bundle); err != nil {
			t.Fatal(err)
		}
		return is
	}
	onA, onB := issueOn(n.A, "anna"), issueOn(n.B, "anna")
	if onA.login.KeyID != onB.login.KeyID || string(onA.login.SealKey) != string(onB.login.SealKey) || string(onA.login.SignKey) != string(onB.login.SignKey) {
		t.Fatalf("the nodes give different keys: %s and %s", onA.login.KeyID, onB.login.KeyID)
	}
	for _, c := range []struct {
		name string
		is   issue
		key  []byte
	}{{"issued on A, B's key", onA, onB.login.SignKey}, {"issued on B, A's key", onB, onA.login.SignKey}} {
		t.Run(c.name, func(t *testing.T) {
			if !seal.Verify(c.key, c.is.resp.Bundle, c.is.resp.Signature) {
				t.Fatal("the bundle does not verify")
			}
			tampered := append([]byte{}, c.is.resp.Bundle...)
			tampered[len(tampered)/2] ^= 1
			if seal.Verify(c.key, tampered, c.is.resp.Signature) {
				t.Fatal("a tampered bundle verifies")
			}
		})
	}

	// nils gets a bundle on A only; B authorises his record by it.
	nils := n.A.phone("nils")
	r := nils.note(nils.ownPatient(), "Gikk tur i hagen")
	if code, resp, raw := nils.on(n.B).sync(nils.sealRecord(r)); code != 200 || resp.Results[0].Status != wire.SyncAccepted {
		t.Fatalf("sync on B under A's bundle: %d %s", code, raw)
	}
	kari := n.A.login("kari").Token
	var views [2]wire.RecordView
	for i, nd := range n.both() {
		if code, raw := nd.e.call("GET", "/api/v1/records/"+r.ID, kari, nil, &views[i]); code != 200 {
			t.Fatalf("record on %s: %d %s", nd.name, code, raw)
		}
		v := views[i]
		if v.BundleIssuedAt == nil || !v.BundleIssuedAt.Equal(nils.bundle.IssuedAt) || !v.BundleExpiresAt.Equal(nils.bundle.ExpiresAt) {
			t.Fatalf("record on %s under bundle issued %v, expiring %v; A issued %v, %v", nd.name,
				v.BundleIssuedAt, v.BundleExpiresAt, nils.bundle.IssuedAt, nils.bundle.ExpiresAt)
		}
	}
	// Each node's audit log names every bundle issued, on either node.
	admin := n.B.login("admin").Token
	for _, nd := range n.both() {
		subjects := map[string]bool{}
		for _, e := range auditChain(t, nd.e, admin) {
			if e.Action == store.AuditBundle {
				subjects[e.Subject] = true
			}
		}
		for _, id := range []string{onA.bundle.ID, onB.bundle.ID, nils.bundle.ID} {
			if !subjects[id] {
				t.Errorf("the audit log on %s does not name bundle %s", nd.name, id)
			}
		}
	}
	n.checkAudit(map[string]int{store.AuditBundle: 3, store.AuditSync: 1})
}

// TestTwoNodesExactlyOnce: the same record sent to A and B at the same
// moment is stored once: one node answers accepted, the other duplicate.
// Another record under the same id is a conflict on either node, and two
// records under one new id sent to both at once store the one accepted.
func TestTwoNodesExactlyOnce(t *testing.T) {
	n := newTwoNodes(t)
	anna := n.A.phone("anna")
	own := anna.ownPatient()
	annaB := anna.on(n.B)
	nodes := [2]*phoneKit{anna, annaB}
	send := func(p *phoneKit, item wire.SealedRecord) func() answer {
		return func() answer {
			return post(p.e.http.Client(), p.e.http.URL+"/api/v1/sync", p.login.Token, wire.SyncRequest{DeviceID: p.deviceID, Records: []wire.SealedRecord{item}})
		}
	}
	result := func(t *testing.T, a answer) wire.SyncResult {
		t.Helper()
		var resp wire.SyncResponse
		if a.err != nil || a.status != 200 {
			t.Fatalf("sync: %d %s %v", a.status, a.raw, a.err)
		}
		if err := json.Unmarshal(a.raw, &resp); err != nil || len(resp.Results) != 1 {
			t.Fatalf("sync answer %s", a.raw)
		}
		return resp.Results[0]
	}
	const rounds = 25
	var stored []care.Record
	for round := range rounds {
		r := anna.note(own, fmt.Sprintf("Runde %d", round))
		// Sealed once for each node: other ciphertexts, the same record.
		got := atOnce(send(nodes[0], anna.sealRecord(r)), send(nodes[1], anna.sealRecord(r)))
		a, b := result(t, got[0]), result(t, got[1])
		statuses := []string{a.Status, b.Status}
		slices.Sort(statuses)
		if !slices.Equal(statuses, []string{wire.SyncAccepted, wire.SyncDuplicate}) {
			t.Fatalf("round %d: A said %+v, B said %+v; want one accepted, one duplicate", round, a, b)
		}
		stored = append(stored, r)
	}
	for _, p := range nodes {
		changed := stored[0]
		changed.Text = "Skrevet om"
		if res := result(t, send(p, anna.sealRecord(changed))()); res.Status != wire.SyncRejected || res.Code != wire.CodeConflict {
			t.Fatalf("another record under a stored id, on %s: %+v", p.e.http.URL, res)
		}
	}
	for round := range rounds {
		// One id, two records, one to each node at once.
		r := anna.note(own, fmt.Sprintf("Første %d", round))
		other := r
		other.Text = fmt.Sprintf("Andre %d", round)
		got := atOnce(send(nodes[0], anna.sealRecord(r)), send(nodes[1], anna.sealRecord(other)))
		a, b := result(t, got[0]), result(t, got[1])
		switch {
		case a.Status == wire.SyncAccepted && b.Status == wire.SyncRejected && b.Code == wire.CodeConflict:
			stored = append(stored, r)
		case b.Status == wire.SyncAccepted && a.Status == wire.SyncRejected && a.Code == wire.CodeConflict:
			stored = append(stored, other)
		default:
			t.Fatalf("round %d, two records under one id: A said %+v, B said %+v; want one accepted, one conflict", round, a, b)
		}
	}
	// Both nodes count and list every record once, with the text of the
	// one accepted.
	kari := n.A.login("kari").Token
	for _, nd := range n.both() {
		var rr wire.RecordsResponse
		if code, raw := nd.e.call("GET", "/api/v1/records?limit=1000", kari, nil, &rr); code != 200 {
			t.Fatalf("records on %s: %d %s", nd.name, code, raw)
		}
		if rr.Total != len(stored) || len(rr.Records) != len(stored) {
			t.Fatalf("records on %s: total %d, %d listed; want %d", nd.name, rr.Total, len(rr.Records), len(stored))
		}
		seen := map[string]int{}
		for _, v := range rr.Records {
			seen[v.ID]++
		}
		for _, r := range stored {
			if seen[r.ID] != 1 {
				t.Fatalf("record %s listed %d times on %s", r.ID, seen[r.ID], nd.name)
			}
		}
	}
	for _, r := range []care.Record{stored[0], stored[len(stored)-1]} {
		var v wire.RecordView
		if code, raw := n.B.call("GET", "/api/v1/records/"+r.ID, kari, nil, &v); code != 200 || v.Record == nil || v.Record.Text != r.Text {
			t.Fatalf("record %s on B: %d %s, want text %q", r.ID, code, raw, r.Text)
		}
	}
	n.checkAudit(map[string]int{store.AuditSync: len(stored)})
}

// TestTwoNodesAudit: appends made on both nodes at once (logins, failed
// logins, devices, bundles, records, outages) form one linear chain that
// verifies, read alike through either node.
func TestTwoNodesAudit(t *testing.T) {
	n := newTwoNodes(t)
	phones := []*phoneKit{n.A.phone("anna"), n.B.phone("nils"), n.A.phone("ole"), n.B.phone("lise")}
	kari := n.A.login("kari").Token
	var calls []func() answer
	const perPhone = 8
	for i, p := range phones {
		for k := range perPhone {
			e := [2]*testEnv{n.A, n.B}[(i+k)%2]
			item := p.sealRecord(p.note(p.ownPatient(), fmt.Sprintf("Notat %d", k)))
			calls = append(calls, func() answer {
				return post(e.http.Client(), e.http.URL+"/api/v1/sync", p.login.Token, wire.SyncRequest{DeviceID: p.deviceID, Records: []wire.SealedRecord{item}})
			})
		}
	}
	// Five logins of one account from one address: a sixth at once
	// would meet the pair's limit, which spends before it checks.
	for i := range 5 {
		e := [2]*testEnv{n.A, n.B}[i%2]
		calls = append(calls, func() answer {
			return post(e.http.Client(), e.http.URL+"/api/v1/session", "", wire.LoginRequest{Username: "per", Password: []string{"demo", "nope"}[i%2]})
		})
	}
	calls = append(calls, func() answer {
		return post(n.B.http.Client(), n.B.http.URL+"/api/v1/outage", kari, wire.OutageRequest{Action: "start", Note: "Strømbrudd"})
	})
	for i, a := range atOnce(calls...) {
		if a.err != nil || (a.status != 200 && a.status != 401) {
			t.Fatalf("call %d: %d %s %v", i, a.status, a.raw, a.err)
		}
	}
	n.checkAudit(map[string]int{store.AuditSync: len(phones) * perPhone, store.AuditLogin: 3 + len(phones) + 1,
		store.AuditLoginFailed: 2, store.AuditDevice: len(phones), store.AuditBundle: len(phones), store.AuditOutageStart: 1})
}

// TestTwoNodesOutage: an outage declared on A is the current one on B
// (which refuses to declare it again), and ended on B it is over on A.
func TestTwoNodesOutage(t *testing.T) {
	n := newTwoNodes(t)
	kariA, kariB := n.A.login("kari").Token, n.B.login("kari").Token
	start := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	var st wire.OutagesResponse
	if code, raw := n.A.call("POST", "/api/v1/outage", kariA, wire.OutageRequest{Action: "start", Note: "EPJ nede", At: &start}, &st); code != 200 || st.Current == nil {
		t.Fatalf("start on A: %d %s", code, raw)
	}
	var onB wire.OutagesResponse
	if code, raw := n.B.call("GET", "/api/v1/outage", kariB, nil, &onB); code != 200 || onB.Current == nil || !onB.Current.Start.Equal(start) || onB.Current.Note != "EPJ nede" {
		t.Fatalf("the outage on B: %d %s", code, raw)
	}
	if code, raw := n.B.call("POST", "/api/v1/outage", kariB, wire.OutageRequest{Action: "start"}, nil); code != 409 {
		t.Fatalf("a second start on B: %d %s", code, raw)
	}
	// B's findings window begins at the outage A declared.
	var fr wire.FindingsResponse
	if code, raw := n.B.call("GET", "/api/v1/findings", kariB, nil, &fr); code != 200 || !fr.Since.Equal(start) {
		t.Fatalf("findings on B since %v, want %v: %d %s", fr.Since, start, code, raw)
	}
	var ended wire.OutagesResponse
	if code, raw := n.B.call("POST", "/api/v1/outage", kariB, wire.OutageRequest{Action: "end"}, &ended); code != 200 || ended.Current != nil {
		t.Fatalf("end on B: %d %s", code, raw)
	}
	var onA wire.OutagesResponse
	if code, raw := n.A.call("GET", "/api/v1/outage", kariA, nil, &onA); code != 200 || onA.Current != nil || len(onA.Outages) != 1 ||
		onA.Outages[0].End == nil || !onA.Outages[0].Start.Equal(start) {
		t.Fatalf("the outage on A after its end on B: %d %s", code, raw)
	}
	if code, raw := n.A.call("POST", "/api/v1/outage", kariA, wire.OutageRequest{Action: "end"}, nil); code != 409 {
		t.Fatalf("a second end on A: %d %s", code, raw)
	}
	// Started on both at once: one outage, the other node says 409.
	got := atOnce(
		func() answer {
			return post(n.A.http.Client(), n.A.http.URL+"/api/v1/outage", kariA, wire.OutageRequest{Action: "start"})
		},
		func() answer {
			return post(n.B.http.Client(), n.B.http.URL+"/api/v1/outage", kariB, wire.OutageRequest{Action: "start"})
		})
	codes := []int{got[0].status, got[1].status}
	slices.Sort(codes)
	if !slices.Equal(codes, []int{200, 409}) {
		t.Fatalf("an outage started on both at once: %d %s; %d %s", got[0].status, got[0].raw, got[1].status, got[1].raw)
	}
	n.checkAudit(map[string]int{store.AuditOutageStart: 2, store.AuditOutageEnd: 1})
}

// TestTwoNodesDesk: records synced through A reach B's desk (it follows
// the change feed): B's findings and dashboard show them as A's do, a
// finding resolved on B is resolved on A, and a record reconciled on A
// counts as such on B.
func TestTwoNodesDesk(t *testing.T) {
	n := newTwoNodes(t)
	kariA, kariB := n.A.login("kari").Token, n.B.login("kari").Token
	// The desks are built before the records come, so that B learns of
	// them from the feed and not from its first build.
	for _, nd := range n.both() {
		var d wire.Dashboard
		if code, raw := nd.e.call("GET", "/api/v1/dashboard", kariA, nil, &d); code != 200 || d.Records != 0 {
			t.Fatalf("dashboard on %s before the records: %d %s", nd.name, code, raw)
		}
	}
	nils := n.A.phone("nils")
	var dose care.ScheduledDose
	for _, d := range nils.bundle.Medications {
		if nils.bundle.OwnPatient(d.PatientID) {
			dose = d
			break
		}
	}
	var items []wire.SealedRecord
	for range 2 {
		nils.seq++
		at := time.Now().UTC()
		r := care.Record{ID: newID(), Type: care.RecordMedication, DeviceID: nils.deviceID, AuthorID: nils.login.User.ID,
			PatientID: dose.PatientID, VisitID: dose.VisitID, ScheduleID: dose.ID, CreatedAt: at, Seq: nils.seq,
			Medication: dose.Medication, Dose: dose.Dose, Route: dose.Route, Status: care.DoseGiven, AdministeredAt: &at,
			SignatureSVG: "M1 1 L2 2", CosignerName: "Kari", CosignerSignatureSVG: "M1 1 L2 3"}
		items = append(items, nils.sealRecord(r))
	}
	items = append(items, nils.sealRecord(nils.note(nils.ownPatient(), "Alt vel")))
	if code, resp, raw := nils.sync(items...); code != 200 || len(resp.Results) != 3 {
		t.Fatalf("sync on A: %d %s", code, raw)
	}
	double := func(e *testEnv, token string) (wire.Finding, error) {
		var fr wire.FindingsResponse
		if code, raw := e.call("GET", "/api/v1/findings?kind="+wire.FindingDoubleAdministration, token, nil, &fr); code != 200 {
			return wire.Finding{}, fmt.Errorf("findings: %d %s", code, raw)
		}
		if len(fr.Findings) != 1 || len(fr.Findings[0].RecordIDs) != 2 || fr.Findings[0].PatientID != dose.PatientID {
			return wire.Finding{}, fmt.Errorf("findings %+v, want one double administration of %s", fr.Findings, dose.PatientID)
		}
		return fr.Findings[0], nil
	}
	dashboard := func(e *testEnv, token string) (wire.Dashboard, error) {
		var d wire.Dashboard
		if code, raw := e.call("GET", "/api/v1/dashboard", token, nil, &d); code != 200 {
			return d, fmt.Errorf("dashboard: %d %s", code, raw)
		}
		return d, nil
	}
	// sameDesk waits until B's dashboard is A's, and check holds for it.
	sameDesk := func(what string, check func(wire.Dashboard) error) {
		t.Helper()
		eventually(t, what, func() error {
			a, err := dashboard(n.A, kariA)
			if err != nil {
				return err
			}
			b, err := dashboard(n.B, kariB)
			if err != nil {
				return err
			}
			if err := check(a); err != nil {
				return fmt.Errorf("A: %w", err)
			}
			// The window is each request's own: it ends (and, with no
			// outage, begins) at the time of the request.
			a.Since, b.Since, a.Until, b.Until = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if fmt.Sprint(a) != fmt.Sprint(b) {
				return fmt.Errorf("A's dashboard %+v, B's %+v", a, b)
			}
			return nil
		})
	}
	var onB wire.Finding
	eventually(t, "the double administration on B", func() (err error) {
		onB, err = double(n.B, kariB)
		return err
	})
	onA, err := double(n.A, kariA)
	if err != nil {
		t.Fatal(err)
	}
	if onA.ID != onB.ID || !slices.Equal(onA.RecordIDs, onB.RecordIDs) {
		t.Fatalf("A's finding %+v, B's %+v", onA, onB)
	}
	sameDesk("the dashboards after the sync", func(d wire.Dashboard) error {
		if d.Records != 3 || d.States[store.StateNew] != 3 || d.Findings[wire.FindingDoubleAdministration] != 1 {
			return fmt.Errorf("dashboard %+v", d)
		}
		return nil
	})

	// Resolved on B, resolved on A.
	if code, raw := n.B.call("POST", "/api/v1/findings/"+onB.ID+"/resolve", kariB, wire.ResolveRequest{Comment: "Andre signatur var en rettelse"}, nil); code != 200 {
		t.Fatalf("resolve on B: %d %s", code, raw)
	}
	eventually(t, "the resolution on A", func() error {
		f, err := double(n.A, kariA)
		if err == nil && (f.Resolved == nil || f.Resolved.Comment != "Andre signatur var en rettelse") {
			err = fmt.Errorf("finding on A %+v", f)
		}
		return err
	})
	// Reconciled on A, counted on B.
	if code, raw := n.A.call("POST", "/api/v1/records/"+items[2].ID+"/reconcile", kariA, wire.ReconcileRequest{Action: store.ActionEntered, EHRRef: "EPJ-123"}, nil); code != 200 {
		t.Fatalf("reconcile on A: %d %s", code, raw)
	}
	sameDesk("the dashboards after the reconciliation", func(d wire.Dashboard) error {
		if d.States[store.StateNew] != 2 || d.States[store.StateEntered] != 1 {
			return fmt.Errorf("dashboard %+v", d)
		}
		return nil
	})
	var rr wire.RecordsResponse
	if code, raw := n.B.call("GET", "/api/v1/records?state="+store.StateEntered, kariB, nil, &rr); code != 200 || rr.Total != 1 || len(rr.Records) != 1 || rr.Records[0].ID != items[2].ID {
		t.Fatalf("entered records on B: %d %s", code, raw)
	}
	n.checkAudit(map[string]int{store.AuditSync: 3, store.AuditFindingResolve: 1, store.AuditReconcile: 1})
}

// TestTwoNodesRevokedSessionEnds: as TestRevokedDeviceSessionEnds, with
// the revocation on one node and the phone on the other: a revoked
// phone's session delivers its outbox and is told to wipe on either node
// until the offline validity has passed since the revocation, and then
// it is over on both; a phone that wiped logs out on one node and is
// refused on the other.
func TestTwoNodesRevokedSessionEnds(t *testing.T) {
	clock := &testClock{t: time.Now()}
	n := newTwoNodes(t, func(c *Config) { c.Now = clock.Now })
	nodes := [2]*testEnv{n.A, n.B}
	revoke := func(e *testEnv, deviceID string) {
		t.Helper()
		if code, raw := e.call("POST", "/api/v1/devices/"+deviceID+"/revoke", e.login("admin").Token, nil, nil); code != 200 {
			t.Fatalf("revoke: %d %s", code, raw)
		}
	}

	t.Run("at the offline validity after the revocation", func(t *testing.T) {
		nils := n.A.phone("nils")
		revoked := clock.Now()
		revoke(n.B, nils.deviceID)
		r := nils.sealRecord(nils.note(nils.ownPatient(), "before the phone was lost"))
		for i, after := range []time.Duration{0, time.Hour, 8*time.Hour - time.Minute} {
			clock.Set(revoked.Add(after))
			code, resp, raw := nils.on(nodes[i%2]).sync(r)
			if code != 200 || !resp.Wipe {
				t.Fatalf("sync %v after the revocation, on %c: %d %s", after, 'A'+i%2, code, raw)
			}
		}
		clock.Add(time.Minute)
		for _, nd := range n.both() {
			code, _, raw := nils.on(nd.e).sync(r)
			if code != 401 || errorCode(t, raw) != wire.CodeUnauthorized {
				t.Fatalf("sync on %s at the offline validity after the revocation: %d %s", nd.name, code, raw)
			}
		}
	})

	t.Run("when the phone has wiped and logs out", func(t *testing.T) {
		clock.Add(time.Hour)
		anna := n.B.phone("anna")
		revoke(n.A, anna.deviceID)
		r := anna.sealRecord(anna.note(anna.ownPatient(), "the last note"))
		for _, nd := range n.both() {
			if code, resp, raw := anna.on(nd.e).sync(r); code != 200 || !resp.Wipe {
				t.Fatalf("sync on %s: %d %s", nd.name, code, raw)
			}
		}
		if code, raw := n.A.call("DELETE", "/api/v1/session", anna.login.Token, nil, nil); code != 200 {
			t.Fatalf("logout on A after the wipe: %d %s", code, raw)
		}
		if code, _, _ := anna.on(n.B).sync(r); code != 401 {
			t.Fatalf("sync on B after the phone's logout on A: %d", code)
		}
	})
	n.checkAudit(map[string]int{store.AuditDeviceRevoke: 2, store.AuditQuarantine: 2})
}
