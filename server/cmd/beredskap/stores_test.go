package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"beredskap/internal/auth"
	"beredskap/internal/backup"
	"beredskap/internal/demo"
	"beredskap/internal/keys"
	"beredskap/internal/seal"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
	"beredskap/internal/wire"
)

// TestMain stops the PostgreSQL cluster the --store tests share.
func TestMain(m *testing.M) { pgtest.Main(m) }

// pgStore is a new, empty PostgreSQL database for --store and the key
// file it is sealed with.
func pgStore(t *testing.T) (url, keyFile string, key []byte) {
	t.Helper()
	keyFile, key = writeStoreKey(t, "d", 0o600)
	return pgtest.NewDatabase(t), keyFile, key
}

// openPG opens the store in url, closed when the test ends (closing it
// twice does no harm).
func openPG(t *testing.T, url string, key []byte) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// seedStore loads the demo municipality (units, accounts with the demo
// password, plans for today and tomorrow) into db.
func seedStore(t *testing.T, db demo.Store, now time.Time) {
	t.Helper()
	if err := demo.Seed(context.Background(), db, servertest.Hasher(), now, servertest.Oslo(t)); err != nil {
		t.Fatal(err)
	}
}

// withStore is args with the flags that name the PostgreSQL store.
func withStore(url, keyFile string, args ...string) []string {
	return append(args, "--store", url, "--encryption-key-file", keyFile)
}

func TestStoreFlagNeedsKeyAndOneStore(t *testing.T) {
	url, keyFile, _ := pgStore(t)
	pdf := filepath.Join(t.TempDir(), "b.pdf")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"audit without key", []string{"audit", "verify", "--store", url}, "--store needs --encryption-key-file"},
		{"binder without key", []string{"binder", "--store", url, "--unit", "u", "--out", pdf}, "--store needs --encryption-key-file"},
		{"backup without key", []string{"backup", "--store", url, "--out", filepath.Join(t.TempDir(), "b")}, "--store needs --encryption-key-file"},
		{"restore without key", []string{"restore", "--store", url, "--in", keyFile}, "needs --encryption-key-file"},
		{"user without key", []string{"user", "disable", "--store", url, "--username", "anna"}, "--store needs --encryption-key-file"},
		{"import without key", []string{"import", "--store", url, "--file", "../../../internal/plan/testdata/plan.csv", "--quiet"}, "--store needs --encryption-key-file"},
		{"audit on both", withStore(url, keyFile, "audit", "verify", "--data", t.TempDir()), "not both"},
		{"backup on both", withStore(url, keyFile, "backup", "--data", t.TempDir(), "--out", filepath.Join(t.TempDir(), "b")), "not both"},
		{"restore into both", withStore(url, keyFile, "restore", "--data", t.TempDir(), "--in", keyFile), "one of --data"},
		{"user on both", withStore(url, keyFile, "user", "disable", "--data", t.TempDir(), "--username", "anna"), "not both"},
		{"binder on both", withStore(url, keyFile, "binder", "--data", t.TempDir(), "--unit", "u", "--out", pdf), "not both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), c.args, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want one that says %q", err, c.want)
			}
		})
	}
	// None of them wrote anything: the database is as new.
	db := openPG(t, url, mustKey(t, keyFile))
	if n, err := db.AuditHead(context.Background()); err != nil || n != 0 {
		t.Fatalf("audit head %d %v", n, err)
	}
}

func mustKey(t *testing.T, keyFile string) []byte {
	t.Helper()
	k, err := readKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestAuditVerifyOnPostgres: audit verify --store passes on a good chain
// and names the first broken entry of one an insider changed in the
// database.
func TestAuditVerifyOnPostgres(t *testing.T) {
	cases := []struct {
		name   string
		tamper string // SQL run on the database; "" leaves it
		want   string
	}{
		{"intact", "", "intact: 4 entries"},
		{"entry removed", `DELETE FROM audit WHERE seq = 2`, "BROKEN at entry 2"},
		{"hash column changed", `UPDATE audit SET hash = repeat('0', 64) WHERE seq = 2`, "BROKEN at entry 2"},
		{"entry moved", `UPDATE audit SET data = (SELECT data FROM audit WHERE seq = 3) WHERE seq = 2`, "BROKEN at entry 2"},
		{"chain cut after entry 2", `DELETE FROM audit WHERE seq > 2`, "BROKEN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			url, keyFile, key := pgStore(t)
			db := openPG(t, url, key)
			for i := 0; i < 4; i++ {
				if err := db.Append(ctx, store.Audit{Actor: "kari", Action: store.AuditReconcile, Subject: "r1", Detail: "action=entered"}); err != nil {
					t.Fatal(err)
				}
			}
			if c.tamper != "" {
				if _, err := db.Pool().Exec(ctx, c.tamper); err != nil {
					t.Fatal(err)
				}
			}
			var out, errOut bytes.Buffer
			err := run(ctx, withStore(url, keyFile, "audit", "verify"), &out, &errOut)
			if (err == nil) != (c.tamper == "") {
				t.Fatalf("verify: %v %s", err, errOut.String())
			}
			if !strings.Contains(out.String(), c.want) {
				t.Fatalf("output %q does not say %q", out.String(), c.want)
			}
			if c.tamper == "" && (strings.Contains(out.String(), url) || !strings.Contains(out.String(), "PostgreSQL database")) {
				t.Fatalf("output %q does not name the database (without its URL)", out.String())
			}
		})
	}
}

// TestUserCommandsOnPostgres: user add, reset, disable and rename with
// --store change the PostgreSQL store, audited.
func TestUserCommandsOnPostgres(t *testing.T) {
	ctx := context.Background()
	url, keyFile, key := pgStore(t)
	db := openPG(t, url, key)
	seedStore(t, db, time.Now())
	var out, errOut bytes.Buffer
	user := func(stdin string, args ...string) error {
		return userCmd(ctx, withStore(url, keyFile, args...), strings.NewReader(stdin), &out, &errOut)
	}
	add := []string{"add", "--username", "eva", "--name", "Eva Lie", "--role", "nurse", "--units", "Hjemmetjenesten Nord"}
	if err := user("short\n", add...); err == nil {
		t.Fatal("a short password was accepted")
	}
	if err := user("correct horse battery\n", add...); err != nil {
		t.Fatal(err)
	}
	if err := user("correct horse battery\n", add...); err == nil {
		t.Fatal("a second eva was added")
	}
	if err := user("staple 4 ever more\n", "reset", "--username", "eva"); err != nil {
		t.Fatal(err)
	}
	if err := user("", "disable", "--username", "eva"); err != nil {
		t.Fatal(err)
	}
	if err := user("", "disable", "--username", "nobody"); err == nil || !strings.Contains(err.Error(), `no user "nobody"`) {
		t.Fatalf("disabled a user who does not exist: %v", err)
	}
	a, err := db.AccountByUsername(ctx, "eva")
	if err != nil || !a.Disabled || a.Role != "nurse" || len(a.Units) != 1 || a.Name != "Eva Lie" {
		t.Fatalf("eva %+v %v", a, err)
	}
	if auth.DefaultHasher().Check(a.PasswordHash, "staple 4 ever more") != nil {
		t.Fatal("the reset password does not check")
	}
	if err := user("", "rename", "--id", a.ID, "--username", "eva.lie"); err != nil {
		t.Fatal(err)
	}
	if r, err := db.AccountByUsername(ctx, "eva.lie"); err != nil || r.ID != a.ID {
		t.Fatalf("after rename: %+v %v", r, err)
	}
	if _, err := db.AccountByUsername(ctx, "eva"); err == nil {
		t.Fatal("the old username still finds the account")
	}
	entries, err := db.AuditFor(ctx, a.ID)
	if err != nil || len(entries) < 4 {
		t.Fatalf("audit of eva: %d entries, %v", len(entries), err)
	}
	for _, e := range entries {
		if e.Actor != "cli" {
			t.Fatalf("audited as %q, not cli: %+v", e.Actor, e)
		}
	}
	if n, err := db.VerifyAudit(ctx); err != nil || n < 4 {
		t.Fatalf("audit %d %v", n, err)
	}
}

// TestImportAndBinderOnPostgres: import --store stores a plan (and
// refuses a bad one whole) and binder --store prints from it, as they do
// on Badger: the same plan gives the same report and the same binder.
func TestImportAndBinderOnPostgres(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	url, keyFile, key := pgStore(t)
	pg := openPG(t, url, key)
	seedStore(t, pg, now)
	dataDir := t.TempDir()
	bdb, err := openStore(dataDir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	seedStore(t, bdb, now)
	bdb.Close()
	onPG := func(args ...string) []string { return withStore(url, keyFile, args...) }
	onBadger := func(args ...string) []string { return append(args, "--data", dataDir) }

	sample := "../../../internal/plan/testdata/plan.csv"
	b, _ := os.ReadFile(sample)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte(strings.Replace(string(b), ",nils,", ",nobody,", 1)), 0o644)
	before, err := pg.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for name, on := range map[string]func(...string) []string{"postgres": onPG, "badger": onBadger} {
		var out, errOut bytes.Buffer
		if err := run(ctx, on("import", "--file", bad, "--quiet"), &out, &errOut); err == nil || !strings.Contains(out.String(), "line 5, worker") {
			t.Fatalf("%s: bad plan: %v %q", name, err, out.String())
		}
		if name == "postgres" {
			if after, _ := pg.AuditHead(ctx); after != before {
				t.Fatalf("a refused plan changed the store: audit head %d, was %d", after, before)
			}
		}
		out.Reset()
		if err := run(ctx, on("import", "--file", sample, "--quiet"), &out, &errOut); err != nil {
			t.Fatalf("%s: import: %v\n%s", name, err, errOut.String())
		}
		if !strings.Contains(out.String(), "stored: 2 patients, 2 visits, 2 doses") {
			t.Fatalf("%s: output %q", name, out.String())
		}
		outputs[name+" import"] = out.String()
	}
	if outputs["postgres import"] != outputs["badger import"] {
		t.Fatalf("import on PostgreSQL says %q, on Badger %q", outputs["postgres import"], outputs["badger import"])
	}
	entries, err := pg.AuditLog(ctx, 0, 1000)
	if err != nil || entries[len(entries)-1].Action != store.AuditPlanImport {
		t.Fatalf("the import is not audited last: %v %v", entries, err)
	}

	units, err := pg.Units(ctx)
	if err != nil || len(units) == 0 {
		t.Fatalf("units %v %v", units, err)
	}
	// The byte count differs (the PDF says when it was made); the
	// counts of what it holds are the same.
	counts := regexp.MustCompile(`: (\d+ patients, \d+ visits, \d+ doses, \d+ routines) \(\d+ bytes\)`)
	for _, name := range []string{"postgres", "badger"} {
		on := onPG
		if name == "badger" {
			on = onBadger
		}
		pdf := filepath.Join(t.TempDir(), "binder.pdf")
		var out, errOut bytes.Buffer
		if err := run(ctx, on("binder", "--unit", units[0].ID, "--out", pdf), &out, &errOut); err != nil {
			t.Fatalf("%s: binder: %v %s", name, err, errOut.String())
		}
		m := counts.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("%s: binder output %q", name, out.String())
		}
		outputs[name+" binder"] = m[1]
		if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF: %.20q %v", name, b, err)
		}
		errOut.Reset()
		if err := run(ctx, on("binder", "--unit", "nowhere", "--out", pdf+".2"), &out, &errOut); err == nil || !strings.Contains(errOut.String(), units[0].Name) {
			t.Fatalf("%s: unknown unit: %v, listed %q", name, err, errOut.String())
		}
	}
	if outputs["postgres binder"] != outputs["badger binder"] || strings.HasPrefix(outputs["postgres binder"], "0 patients") {
		t.Fatalf("binder on PostgreSQL holds %q, on Badger %q", outputs["postgres binder"], outputs["badger binder"])
	}
	last, err := pg.AuditLog(ctx, 0, 1000)
	if err != nil || last[len(last)-1].Action != store.AuditExport || last[len(last)-1].Subject != units[0].ID {
		t.Fatalf("the binder is not audited: %v", err)
	}
}

// allRecords reads every record of db, by id.
func allRecords(t *testing.T, db store.Records) map[string]store.StoredRecord {
	t.Helper()
	out := map[string]store.StoredRecord{}
	err := db.WalkRecords(context.Background(), store.RecordFilter{}, func(r store.StoredRecord) error {
		r.Body = bytes.Clone(r.Body)
		r.Sig = bytes.Clone(r.Sig)
		out[r.ID] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBackupRestoreOnPostgres: backup --store writes the PostgreSQL
// store encrypted with its key, server keys included; restore --store
// into a fresh database gives the same records, the same audit chain and
// the same server keys, so that serve --store on it is the same server to
// phones, and opens what they sealed before the backup.
func TestBackupRestoreOnPostgres(t *testing.T) {
	ctx := context.Background()
	url, keyFile, key := pgStore(t)
	src := openPG(t, url, key)
	seedStore(t, src, time.Now())
	// A server has run on it: it made the keys the database keeps, and a
	// phone sealed a record to them that it has not sent yet.
	orig, err := keys.FromVault(ctx, src, key)
	if err != nil {
		t.Fatal(err)
	}
	_, device, _ := seal.NewSigningKey()
	unsent, err := seal.SealRecord([]byte(`{"text":"Olav Berntsen fikk Paracet 1 g"}`), device, orig.SealPub)
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.StoredRecord
	var audit []store.Audit
	for i := 0; i < 50; i++ {
		id := fmt.Sprintf("rec-%03d", i)
		recs = append(recs, store.StoredRecord{ID: id, DeviceID: "d", AuthorID: "u", PatientID: "p", UnitID: "n", Seq: uint64(i + 1),
			Body: []byte(`{"text":"Olav Berntsen spiste frokost"}`), BodyHash: id, State: store.StateNew, Received: time.Now()})
		audit = append(audit, store.Audit{Actor: "u", Action: store.AuditSync, Subject: id})
	}
	if err := src.PutRecords(ctx, recs, audit); err != nil {
		t.Fatal(err)
	}
	wantRecords := allRecords(t, src)
	wantAudit, err := src.AuditLog(ctx, 0, 100000)
	if err != nil || len(wantAudit) < 50 {
		t.Fatalf("audit %d %v", len(wantAudit), err)
	}

	out := filepath.Join(t.TempDir(), "pg.backup")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, withStore(url, keyFile, "backup", "--out", out, "--quiet"), &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "encrypted: true, server keys: true") || strings.Contains(stderr.String(), "note") {
		t.Fatalf("backup said %q %q", stdout.String(), stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	seed := base64.StdEncoding.EncodeToString(orig.Sign.Seed())
	if bytes.Contains(raw, []byte("Olav Berntsen")) || bytes.Contains(raw, []byte(seed)) || bytes.Contains(raw, []byte("server_keys")) {
		t.Fatal("the backup holds the store or its keys in clear")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file %v %v", fi, err)
	}
	opened, err := backup.Open(bytes.NewReader(raw), key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(opened.ServerKeys, []byte(`"wrapped"`)) || bytes.Contains(opened.ServerKeys, []byte(seed)) {
		t.Fatalf("the backup's key section is not wrapped: %s", opened.ServerKeys)
	}
	// The backup is audited on the store it was made of.
	if last, err := src.AuditLog(ctx, uint64(len(wantAudit))+1, 10); err != nil || len(last) != 1 || last[0].Action != store.AuditBackup || last[0].Actor != "cli" {
		t.Fatalf("the backup is not audited: %+v %v", last, err)
	}

	// With another key the backup does not open, and the database it was
	// to go into stays empty.
	otherFile, _ := writeStoreKey(t, "e", 0o600)
	other := pgtest.NewDatabase(t)
	if err := run(ctx, withStore(other, otherFile, "restore", "--in", out), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Fatalf("restore with another key: %v", err)
	}
	// A Badger backup is no PostgreSQL store's.
	bdir := t.TempDir()
	bdb, err := openStore(bdir, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Append(ctx, store.Audit{Actor: "t", Action: store.AuditLogin})
	bdb.Close()
	bout := filepath.Join(t.TempDir(), "badger.backup")
	if err := run(ctx, []string{"backup", "--data", bdir, "--encryption-key-file", keyFile, "--out", bout, "--quiet"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, withStore(other, keyFile, "restore", "--in", bout), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "not a backup of a PostgreSQL store") {
		t.Fatalf("a Badger backup into PostgreSQL: %v", err)
	}
	if n, err := openPG(t, other, key).AuditHead(ctx); err != nil || n != 0 {
		t.Fatalf("a refused restore left %d audit entries: %v", n, err)
	}

	restored := pgtest.NewDatabase(t)
	stdout.Reset()
	stderr.Reset()
	if err := run(ctx, withStore(restored, keyFile, "restore", "--in", out), &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "server keys: true") || strings.Contains(stderr.String(), "warning") || strings.Contains(stdout.String(), restored) {
		t.Fatalf("restore said %q %q", stdout.String(), stderr.String())
	}
	dst := openPG(t, restored, key)
	gotRecords := allRecords(t, dst)
	if len(gotRecords) != len(wantRecords) || len(gotRecords) < 50 {
		t.Fatalf("restored %d records of %d", len(gotRecords), len(wantRecords))
	}
	for id, w := range wantRecords {
		g := gotRecords[id]
		if g.ID != w.ID || !bytes.Equal(g.Body, w.Body) || g.BodyHash != w.BodyHash || g.State != w.State || !g.Received.Equal(w.Received) {
			t.Fatalf("record %s differs after restore: %+v, was %+v", id, g, w)
		}
	}
	gotAudit, err := dst.AuditLog(ctx, 0, 100000)
	if err != nil || len(gotAudit) != len(wantAudit) {
		t.Fatalf("restored %d audit entries of %d: %v", len(gotAudit), len(wantAudit), err)
	}
	for i := range wantAudit {
		if gotAudit[i].Hash != wantAudit[i].Hash || gotAudit[i].Detail != wantAudit[i].Detail {
			t.Fatalf("audit entry %d differs after restore", wantAudit[i].Seq)
		}
	}
	stdout.Reset()
	if err := run(ctx, withStore(restored, keyFile, "audit", "verify"), &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), fmt.Sprintf("intact: %d entries", len(wantAudit))) {
		t.Fatalf("verify the restored copy: %v %q", err, stdout.String())
	}
	got, err := keys.FromVault(ctx, dst, key)
	if err != nil {
		t.Fatal(err)
	}
	if got.KeyID() != orig.KeyID() || !got.Sign.Equal(orig.Sign) {
		t.Fatal("the restored database holds other server keys than the original")
	}
	body, err := got.OpenRecord(unsent)
	if err != nil {
		t.Fatalf("a record sealed before the backup does not open after the restore: %v", err)
	}
	var env wire.SignedRecord
	if err := json.Unmarshal(body, &env); err != nil || !seal.Verify(device.Public().(ed25519.PublicKey), env.Body, env.Sig) {
		t.Fatalf("the opened record: %v", err)
	}
	if err := run(ctx, withStore(restored, keyFile, "restore", "--in", out), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore over a restored store: %v", err)
	}
	dst.Close()

	// serve --store on the restored database is the same server to
	// phones: a login hands out the original keys.
	base := startServe(t, withStore(restored, keyFile)...)
	login, _ := json.Marshal(wire.LoginRequest{Username: "anna", Password: demo.Password})
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr wire.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("login on the restored server: %d %v", resp.StatusCode, err)
	}
	if lr.KeyID != orig.KeyID() || !bytes.Equal(lr.SealKey, orig.SealPub) || !bytes.Equal(lr.SignKey, orig.SignPub()) {
		t.Fatalf("the restored server hands out key %s, the original's is %s", lr.KeyID, orig.KeyID())
	}
}

// TestBackupOnPostgresBeforeAnyServer: a store no server has started on
// has no keys; its backup says so, and its restore warns, and neither
// makes keys.
func TestBackupOnPostgresBeforeAnyServer(t *testing.T) {
	ctx := context.Background()
	url, keyFile, key := pgStore(t)
	seedStore(t, openPG(t, url, key), time.Now())
	out := filepath.Join(t.TempDir(), "pg.backup")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, withStore(url, keyFile, "backup", "--out", out, "--quiet"), &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v %s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "server keys: false") || !strings.Contains(stderr.String(), "holds no server keys yet") {
		t.Fatalf("backup said %q %q", stdout.String(), stderr.String())
	}
	restored := pgtest.NewDatabase(t)
	stderr.Reset()
	if err := run(ctx, withStore(restored, keyFile, "restore", "--in", out), &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v %s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: this backup holds no server keys") {
		t.Fatalf("restore said %q", stderr.String())
	}
	for _, db := range []string{url, restored} {
		if _, err := openPG(t, db, key).ServerKeys(ctx, nil); err == nil {
			t.Fatal("a backup or restore made server keys")
		}
	}
}

// TestRestoreOnPostgresChecksTheKeySection: the backup's key section (what
// a running server's backup carries) and the keys in its tables must be
// one; a section the tables lack is put in.
func TestRestoreOnPostgresChecksTheKeySection(t *testing.T) {
	a, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name             string
		tables, section  *keys.Keys // the keys in the tables and in the key section
		wantErr, wantKey string
	}{
		{"the same keys", a, a, "", a.KeyID()},
		{"other keys in the section", a, b, "damaged", ""},
		{"keys in the section only", nil, a, "", a.KeyID()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			url, keyFile, key := pgStore(t)
			src := openPG(t, url, key)
			seedStore(t, src, time.Now())
			if c.tables != nil {
				held, _ := c.tables.FileFor(key)
				if _, err := src.ServerKeys(ctx, held); err != nil {
					t.Fatal(err)
				}
			}
			section, _ := c.section.FileFor(key)
			var buf bytes.Buffer
			if _, err := backup.Write(ctx, src, &buf, key, section, nil); err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(t.TempDir(), "b.backup")
			if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			restored := pgtest.NewDatabase(t)
			var stdout, stderr bytes.Buffer
			err := run(ctx, withStore(restored, keyFile, "restore", "--in", in), &stdout, &stderr)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("restore: %v, want an error that says %q", err, c.wantErr)
				}
				// Refused whole: the database is as empty as before, and a
				// good backup restores into it.
				if accounts, err := openPG(t, restored, key).Accounts(ctx); err != nil || len(accounts) != 0 {
					t.Fatalf("after a refused restore the database holds %d accounts (%v), want none", len(accounts), err)
				}
				good, _ := c.tables.FileFor(key)
				buf.Reset()
				if _, err := backup.Write(ctx, src, &buf, key, good, nil); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := run(ctx, withStore(restored, keyFile, "restore", "--in", in), &stdout, &stderr); err != nil {
					t.Fatalf("restore of a good backup after a refused one: %v %s", err, stderr.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("restore: %v %s", err, stderr.String())
			}
			got, err := keys.FromVault(ctx, openPG(t, restored, key), key)
			if err != nil || got.KeyID() != c.wantKey {
				t.Fatalf("restored keys %v %v, want %s", got, err, c.wantKey)
			}
		})
	}
}
