package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres/pgtest"
)

// waitMode waits until the store's poll finds want (the poll runs every
// 50 ms here; a minute is a hung test, not a slow one).
func waitMode(t *testing.T, db *DB, want store.Mode) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for db.Mode() != want {
		if time.Now().After(deadline) {
			t.Fatalf("mode %s, want %s: %s", db.Mode(), want, db.Storage().Reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestModeFollowsTheDatabase: a database that turns read-only makes the
// store read-only (no bulk writes, a reason), and read-write again; a
// server that is gone makes it unavailable, and it comes back by itself
// when the server does, with what was committed before.
func TestModeFollowsTheDatabase(t *testing.T) {
	ctx := context.Background()
	cl, err := pgtest.Start(pgtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Stop() })
	if err := cl.Exec(ctx, "postgres", "CREATE DATABASE beredskap"); err != nil {
		t.Fatal(err)
	}
	db := openTest(t, cl.URL("beredskap"), Options{PollEvery: 50 * time.Millisecond})
	if m := db.Mode(); m != store.ModeReadWrite {
		t.Fatalf("mode at open: %s", m)
	}
	if err := db.PutAccount(ctx, account("u1", "kari")); err != nil {
		t.Fatal(err)
	}

	if err := cl.Exec(ctx, "postgres", "ALTER DATABASE beredskap SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	db.Pool().Reset() // the setting holds for new connections
	waitMode(t, db, store.ModeReadOnly)
	st := db.Storage()
	if st.BulkWrites || st.SmallWrites || !strings.Contains(st.Reason, "read-only") {
		t.Fatalf("read-only storage: %+v", st)
	}
	if _, err := db.ReserveWrite(1); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a bulk write on a read-only database: %v, want ErrUnavailable", err)
	}
	if err := db.PutAccount(ctx, account("u2", "ola")); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a write on a read-only database: %v, want ErrUnavailable", err)
	}
	if err := cl.Exec(ctx, "postgres", "ALTER DATABASE beredskap SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	db.Pool().Reset()
	waitMode(t, db, store.ModeReadWrite)

	cl.Kill()
	waitMode(t, db, store.ModeUnavailable)
	if st := db.Storage(); st.BulkWrites || st.Reason == "" {
		t.Fatalf("storage of an unreachable database: %+v", st)
	}
	if _, err := db.ReserveWrite(1); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a bulk write on an unreachable database: %v, want ErrUnavailable", err)
	}
	if err := db.PutAccount(ctx, account("u3", "per")); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a write on an unreachable database: %v, want ErrUnavailable", err)
	}
	if _, err := db.AccountByUsername(ctx, "kari"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("a read on an unreachable database: %v, want ErrUnavailable", err)
	}
	if err := cl.Restart(); err != nil {
		t.Fatal(err)
	}
	waitMode(t, db, store.ModeReadWrite)
	if a, err := db.AccountByUsername(ctx, "kari"); err != nil || a.ID != "u1" {
		t.Fatalf("after the crash: %+v, %v", a, err)
	}
}

// TestDiskFullIsInsufficientStorage: the database's refusal for a full
// disk (SQLSTATE 53100) is ErrInsufficientStorage, and holds bulk writes
// back for a while; other errors are left as they are.
func TestDiskFullIsInsufficientStorage(t *testing.T) {
	db := openTest(t, pgtest.NewDatabase(t), Options{})
	full := fmt.Errorf("put records: %w", &pgconn.PgError{Code: "53100", Message: "could not extend file: No space left on device"})
	if err := db.mapErr(full); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("disk full mapped to %v", err)
	}
	st := db.Storage()
	if st.BulkWrites || !st.SmallWrites || st.Reason == "" || st.Mode != store.ModeReadWrite {
		t.Fatalf("storage after a disk-full refusal: %+v", st)
	}
	if _, err := db.ReserveWrite(1); !errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatalf("a bulk write admitted after a disk-full refusal: %v", err)
	}
	other := &pgconn.PgError{Code: "23505"}
	if err := db.mapErr(other); errors.Is(err, store.ErrInsufficientStorage) {
		t.Fatal("a unique violation mapped to insufficient storage")
	}
}

// TestUnavailableErrors: what a failover makes the driver say is
// ErrUnavailable (the server answers 503, the phone tries again); what
// the database says about a statement is not.
func TestUnavailableErrors(t *testing.T) {
	db := openTest(t, pgtest.NewDatabase(t), Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, refused := pgconn.Connect(ctx, "postgres://postgres@127.0.0.1:1/x?sslmode=disable")
	if refused == nil {
		t.Fatal("connected to port 1")
	}
	pg := func(code string) error { return fmt.Errorf("put records: %w", &pgconn.PgError{Code: code}) }
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"no host takes connections", refused, true},
		{"a write on a standby (read_only_sql_transaction)", pg("25006"), true},
		{"the server shuts down (admin_shutdown)", pg("57P01"), true},
		{"another backend crashed (crash_shutdown)", pg("57P02"), true},
		{"the server is starting (cannot_connect_now)", pg("57P03"), true},
		{"connection failure", pg("08006"), true},
		{"the connection lost under a commit", fmt.Errorf("commit: %w", io.ErrUnexpectedEOF), true},
		{"a reset connection", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"a closed connection", fmt.Errorf("exec: %w", pgconn.ErrConnClosed), true},
		{"a unique violation", pg("23505"), false},
		{"a syntax error", pg("42601"), false},
		{"disk full", pg("53100"), false},
		{"another error", errors.New("sealed data does not open"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := errors.Is(db.mapErr(c.err), store.ErrUnavailable); got != c.want {
				t.Fatalf("ErrUnavailable %v, want %v: %v", got, c.want, db.mapErr(c.err))
			}
		})
	}
}

// TestMultiHostURL: a libpq URL naming several hosts finds the one that
// takes writes (target_session_attrs=read-write), past one that is down.
func TestMultiHostURL(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	cl := pgtest.Shared(t)
	name := url[strings.LastIndex(url, "/")+1 : strings.Index(url, "?")]
	multi := fmt.Sprintf("postgres://postgres@127.0.0.1:1,127.0.0.1:%d/%s?sslmode=disable&target_session_attrs=read-write&connect_timeout=5", cl.Port, name)
	db := openTest(t, multi, Options{})
	if err := db.PutAccount(ctx, account("u1", "kari")); err != nil {
		t.Fatal(err)
	}
	if m := db.Mode(); m != store.ModeReadWrite {
		t.Fatalf("mode %s", m)
	}
}

// TestLoadRefusesAStoreInUse: a backup loads only into an empty store.
func TestLoadRefusesAStoreInUse(t *testing.T) {
	ctx := context.Background()
	src := openTest(t, pgtest.NewDatabase(t), Options{})
	if err := src.PutAccount(ctx, account("u1", "kari")); err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := src.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if err := src.Load(ctx, strings.NewReader(buf.String())); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("load into a store in use: %v", err)
	}
	dst := openTest(t, pgtest.NewDatabase(t), Options{EncryptionKey: make([]byte, 32)})
	if err := dst.Load(ctx, strings.NewReader(buf.String())); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("a backup sealed with another key loaded: %v", err)
	}
	if _, err := dst.Account(ctx, "u1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("part of a refused backup was loaded: %v", err)
	}
}

// TestOpenRefusesAnotherKey: a node started with another key than the
// database's is refused before it writes anything.
func TestOpenRefusesAnotherKey(t *testing.T) {
	url := pgtest.NewDatabase(t)
	openTest(t, url, Options{})
	if db, err := Open(context.Background(), url, Options{EncryptionKey: make([]byte, 32)}); !errors.Is(err, ErrWrongKey) {
		if db != nil {
			db.Close()
		}
		t.Fatalf("open with another key: %v", err)
	}
}

func account(id, username string) store.Account {
	return store.Account{User: care.User{ID: id, Username: username, Name: username, Role: care.RoleWorker}, PasswordHash: "h"}
}
