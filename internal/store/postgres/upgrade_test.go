package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// migrationsWith is the embedded migrations, only those up to version
// upTo (all of them for 0), plus the files of the directories dirs.
func migrationsWith(t *testing.T, upTo int64, dirs ...string) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	add := func(fsys fs.FS, limit int64) {
		files, err := fs.Glob(fsys, "*.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			var v int64
			if _, err := fmt.Sscanf(f, "%d_", &v); err != nil || (limit > 0 && v > limit) {
				continue
			}
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = &fstest.MapFile{Data: b}
		}
	}
	real, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	add(real, upTo)
	for _, d := range dirs {
		add(os.DirFS(d), 0)
	}
	return out
}

// futureVersion is the highest migration in testdata/future.
const futureVersion = 90003

// logBuffer collects what a store logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// phoneOps does on node db what a phone's day asks of the store (a
// login's session, the device's registration and its last-seen, a
// bundle, a sync: Known, PutRecords exactly once with its audit entry,
// the device's sequence numbers), all named by tag, and checks each
// answer on db and on the other nodes.
func phoneOps(t *testing.T, db *DB, tag string, others ...*DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	user, dev := "u-"+tag, "d-"+tag
	if err := db.PutAccount(ctx, store.Account{User: care.User{ID: user, Username: tag, Name: tag, Role: care.RoleNurse, Units: []string{"n"}}, PasswordHash: "h"}); err != nil {
		t.Fatalf("%s: account: %v", tag, err)
	}
	sess := store.Session{TokenHash: "tok-" + tag, UserID: user, DeviceID: dev, Created: now, Expires: now.Add(time.Hour)}
	if err := db.PutSession(ctx, sess); err != nil {
		t.Fatalf("%s: session: %v", tag, err)
	}
	if err := db.PutDevice(ctx, store.Device{ID: dev, UserID: user, PublicKey: []byte(tag), Label: "phone", Created: now}); err != nil {
		t.Fatalf("%s: device: %v", tag, err)
	}
	if err := db.TouchDevice(ctx, dev, now.Add(time.Minute)); err != nil {
		t.Fatalf("%s: touch device: %v", tag, err)
	}
	if err := db.PutIssuedBundle(ctx, store.IssuedBundle{ID: "b-" + tag, UserID: user, DeviceID: dev, IssuedAt: now, ExpiresAt: now.Add(8 * time.Hour),
		OwnPatients: []string{"p1"}}); err != nil {
		t.Fatalf("%s: bundle: %v", tag, err)
	}
	var recs []store.StoredRecord
	hashes := map[string]string{}
	for i := range 3 {
		id := fmt.Sprintf("r-%s-%d", tag, i)
		recs = append(recs, store.StoredRecord{ID: id, Type: care.RecordNote, DeviceID: dev, AuthorID: user, PatientID: "p1", UnitID: "n",
			Seq: uint64(i + 1), CreatedAt: now, Received: now, State: store.StateNew, BodyHash: "h" + id, Body: []byte(`{}`), Sig: []byte("s")})
		hashes[id] = "h" + id
	}
	if known, err := db.Known(ctx, hashes); err != nil || len(known) != 0 && known[recs[0].ID] != store.RecordUnknown {
		t.Fatalf("%s: known before the sync: %v, %v", tag, known, err)
	}
	if err := db.PutRecords(ctx, recs, []store.Audit{{Action: store.AuditSync, Subject: recs[0].ID}}); err != nil {
		t.Fatalf("%s: put records: %v", tag, err)
	}
	hashes[recs[1].ID] = "other bytes"
	for _, node := range append([]*DB{db}, others...) {
		if err := node.PutRecords(ctx, recs[:1], nil); !errors.Is(err, store.ErrRecordExists) {
			t.Fatalf("%s: the same record again: %v, want ErrRecordExists", tag, err)
		}
		known, err := node.Known(ctx, hashes)
		if err != nil || known[recs[0].ID] != store.RecordSame || known[recs[1].ID] != store.RecordDifferent {
			t.Fatalf("%s: known after the sync: %v, %v", tag, known, err)
		}
		if seqs, err := node.DeviceSeqs(ctx, dev); err != nil || fmt.Sprint(seqs) != "[1 2 3]" {
			t.Fatalf("%s: device seqs %v, %v", tag, seqs, err)
		}
		if r, err := node.StoredRecordByID(ctx, recs[2].ID); err != nil || r.Seq != 3 || string(r.Body) != `{}` {
			t.Fatalf("%s: record: %+v, %v", tag, r, err)
		}
		if s, err := node.Session(ctx, sess.TokenHash); err != nil || s.UserID != user {
			t.Fatalf("%s: session: %+v, %v", tag, s, err)
		}
		if d, err := node.Device(ctx, dev); err != nil || string(d.PublicKey) != tag || !d.LastSeen.Equal(now.Add(time.Minute)) {
			t.Fatalf("%s: device: %+v, %v", tag, d, err)
		}
		if bs, err := node.IssuedBundles(ctx, user, now.Add(-time.Hour)); err != nil || len(bs) != 1 || bs[0].DeviceID != dev {
			t.Fatalf("%s: bundles: %+v, %v", tag, bs, err)
		}
		if a, err := node.AccountByUsername(ctx, tag); err != nil || a.ID != user {
			t.Fatalf("%s: account: %+v, %v", tag, a, err)
		}
	}
}

// TestRollingUpgrade: node "old" runs on the current migrations; two
// "new" nodes start at once on the same database with more (a new table,
// new columns on records, sessions, devices and bundles, a new index:
// testdata/future) and migrate it once; the old node goes on serving
// phones on the expanded schema with the statements it had prepared
// before, its inserts filling the new columns with their defaults; a
// third old node started after the upgrade starts (schema newer than it
// knows: a warning, not a refusal) and serves too. Before the rule, an
// old node refused a newer schema, and a rolling upgrade stopped every
// node restarted during it.
func TestRollingUpgrade(t *testing.T) {
	ctx := context.Background()
	dbURL := pgtest.NewDatabase(t)
	old := openTest(t, dbURL, Options{})
	phoneOps(t, old, "before")
	if err := old.PutRecords(ctx, []store.StoredRecord{{ID: "pending-write", DeviceID: "d9", Seq: 1, BodyHash: "h", AuthorID: "u1",
		PatientID: "p1", UnitID: "n", State: store.StateNew, Received: time.Now(), Body: []byte(`{}`)}}, nil); err != nil {
		t.Fatal(err)
	}
	oldHead, err := old.ChangeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Two new nodes at once: one migrates, the other waits for its lock
	// and finds nothing to do (the future migrations would fail if run
	// twice: CREATE TABLE without IF NOT EXISTS).
	future := migrationsWith(t, 0, "testdata/future")
	var news [2]*DB
	var errs [2]error
	var wg sync.WaitGroup
	for i := range news {
		wg.Add(1)
		go func() {
			defer wg.Done()
			news[i], errs[i] = Open(ctx, dbURL, Options{EncryptionKey: testKey, migrations: future})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("new node %d: %v", i, err)
		}
		t.Cleanup(func() { news[i].Close() })
	}
	var applied, distinct, top int64
	if err := old.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id), max(version_id) FROM goose_db_version WHERE version_id > 0`).
		Scan(&applied, &distinct, &top); err != nil {
		t.Fatal(err)
	}
	if want := int64(SchemaVersion() + 3); applied != want || distinct != want || top != futureVersion {
		t.Fatalf("goose_db_version: %d rows, %d versions, up to %d; want %d once each, up to %d", applied, distinct, top, want, futureVersion)
	}
	// What only the newer code writes: its table, its columns.
	if _, err := news[0].pool.Exec(ctx, `INSERT INTO future_notes (id, note) VALUES ('n1', 'x');
		UPDATE records SET future_tag = 'tagged' WHERE id = 'r-before-0';
		UPDATE sessions SET future_client = 'v2' WHERE token_hash = 'tok-before'`); err != nil {
		t.Fatal(err)
	}

	// The old node, on its pool of before, and the new ones, each
	// checked from the others.
	phoneOps(t, old, "old-after", news[0], news[1])
	phoneOps(t, news[0], "new", old)
	if r, err := old.StoredRecordByID(ctx, "r-before-0"); err != nil || r.ID != "r-before-0" {
		t.Fatalf("the old node reads a record the new one tagged: %+v, %v", r, err)
	}
	var model string
	var rev int
	var tag, client *string
	if err := old.pool.QueryRow(ctx, `SELECT d.future_model, b.future_rev, r.future_tag, s.future_client
		FROM devices d, bundles b, records r, sessions s
		WHERE d.id = 'd-old-after' AND b.id = 'b-old-after' AND r.id = 'r-old-after-0' AND s.token_hash = 'tok-old-after'`).
		Scan(&model, &rev, &tag, &client); err != nil {
		t.Fatal(err)
	}
	if model != "unknown" || rev != 0 || tag != nil || client != nil {
		t.Fatalf("the old node's rows in the new columns: %q, %d, %v, %v; want the defaults and NULLs", model, rev, tag, client)
	}
	// The old node's desk feed reads on across the upgrade.
	if ch, _, err := old.Changes(ctx, oldHead, 100); err != nil || len(ch) == 0 {
		t.Fatalf("the old node's change feed after the upgrade: %v, %v", ch, err)
	}

	// A third old node, started after the upgrade.
	var logs logBuffer
	third, err := Open(ctx, dbURL, Options{EncryptionKey: testKey, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatalf("an old node started on the upgraded schema: %v", err)
	}
	t.Cleanup(func() { third.Close() })
	if !strings.Contains(logs.String(), "schema is newer") || !strings.Contains(logs.String(), fmt.Sprintf("schema=%d", futureVersion)) {
		t.Fatalf("the old node did not say the schema is newer: %s", logs.String())
	}
	phoneOps(t, third, "third", old, news[1])

	// A backup is the newer version's: the old node's would lack the new
	// table while looking whole.
	var buf bytes.Buffer
	if err := old.Backup(ctx, &buf); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("the old node's backup of a newer schema: %v, want ErrSchemaTooNew", err)
	}
	if err := news[1].Backup(ctx, &buf); err != nil {
		t.Fatalf("the new node's backup: %v", err)
	}
	// Every node's appends are one chain.
	if n, err := third.VerifyAudit(ctx); err != nil || n != 4 {
		t.Fatalf("audit chain: %d entries, %v; want 4", n, err)
	}
}

// TestOpenRefusesASchemaItCannotMigrate: a database whose schema lacks
// migrations this code needs, which it cannot apply, is refused with
// ErrSchemaBehind naming both versions, and nothing is served on it: a
// role that may not create tables (the migrations are the owner's job),
// and a schema with a gap (migration 4 missing below 5, which goose does
// not apply out of order).
func TestOpenRefusesASchemaItCannotMigrate(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T, dbURL string) string // the URL the node opens
		at    int64
	}{
		{"no right to create", func(t *testing.T, dbURL string) string {
			openTest(t, dbURL, Options{migrations: migrationsWith(t, 3)}).Close()
			u, err := url.Parse(dbURL)
			if err != nil {
				t.Fatal(err)
			}
			role := "app_" + strings.TrimPrefix(u.Path, "/")
			cl := pgtest.Shared(t)
			if err := cl.Exec(ctx, "postgres", "CREATE ROLE "+pgx.Identifier{role}.Sanitize()+" LOGIN"); err != nil {
				t.Fatal(err)
			}
			dbName := strings.TrimPrefix(u.Path, "/")
			t.Cleanup(func() {
				if err := cl.Exec(ctx, dbName, "DROP OWNED BY "+pgx.Identifier{role}.Sanitize()); err != nil {
					t.Error(err)
				}
				if err := cl.Exec(ctx, "postgres", "DROP ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
					t.Error(err)
				}
			})
			if err := cl.Exec(ctx, dbName, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "+pgx.Identifier{role}.Sanitize()+
				"; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO "+pgx.Identifier{role}.Sanitize()); err != nil {
				t.Fatal(err)
			}
			u.User = url.User(role)
			return u.String()
		}, 3},
		{"a gap", func(t *testing.T, dbURL string) string {
			db := openTest(t, dbURL, Options{})
			if _, err := db.pool.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = 4`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			return dbURL
		}, SchemaVersion()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nodeURL := c.setup(t, pgtest.NewDatabase(t))
			db, err := Open(ctx, nodeURL, Options{EncryptionKey: testKey})
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if want := fmt.Sprintf("schema is at version %d, this program needs %d", c.at, SchemaVersion()); !errors.Is(err, ErrSchemaBehind) || !strings.Contains(err.Error(), want) {
				t.Fatalf("%v; want ErrSchemaBehind saying %q", err, want)
			}
			t.Log(err)
		})
	}
}

// TestOpenWithoutADatabaseIsUnavailable: a node that reaches no
// database is told so (ErrUnavailable), not that the schema is behind.
func TestOpenWithoutADatabaseIsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	db, err := Open(context.Background(), "postgres://postgres@"+addr+"/beredskap?sslmode=disable&connect_timeout=5", Options{EncryptionKey: testKey})
	if err == nil {
		db.Close()
		t.Fatal("opened")
	}
	if !errors.Is(err, store.ErrUnavailable) || errors.Is(err, ErrSchemaBehind) {
		t.Fatalf("%v; want ErrUnavailable", err)
	}
}
