// Package postgres implements the store contract (package store) on
// PostgreSQL through pgx: the store for several server nodes over one
// replicated database. It is held to the same conformance suite as the
// Badger store (internal/store/storetest).
//
// Layout: one table per kind of thing, with in clear only the columns
// its queries need (ids, units, patients, times, states, sequence
// numbers, hashes) and the whole object in a data column, sealed by the
// application (seal.go): PostgreSQL itself does not encrypt its files.
// The schema is migrated at Open with goose (migrations/), under a
// session advisory lock, so that nodes starting at once migrate once;
// migrations only expand the schema within a release, so a node of the
// release before serves on a schema a newer node migrated (migrate).
//
// Several nodes on one database stay correct through the database's own
// guarantees: a record's id is its primary key (exactly-once ingest, a
// purged record's row stays), every audit append locks the chain's head
// row in the transaction that writes what it audits, a job's lease is a
// compare-and-set in SQL, usernames are unique by an index.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"beredskap/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure Open.
type Options struct {
	// EncryptionKey is the 32-byte key every sealed column is sealed
	// with (through keys derived from it): the key of
	// --encryption-key-file. Required.
	EncryptionKey []byte
	// Logger receives the store's warnings; nil discards them.
	Logger *slog.Logger
	// PollEvery is how often the database is asked whether it takes
	// writes (Mode); zero means three seconds.
	PollEvery time.Duration
	// MaxConns, when above zero, is the pool's size; otherwise the URL's
	// pool_max_conns, or pgx's default.
	MaxConns int32

	// plaintext stores the sealed columns unsealed: only the test that
	// shows sealing is what keeps names out of the files uses it.
	plaintext bool
	// migrations replaces the embedded migrations: the rolling upgrade's
	// test opens a "newer" node with more of them.
	migrations fs.FS
}

// DB is the open store.
type DB struct {
	pool *pgxpool.Pool
	seal *sealer
	log  *slog.Logger

	// known is the schema version of the migrations this node has: a
	// backup names it, and is refused on a database migrated further.
	known     int64
	cap       capacity
	changes   changeLog
	pollStop  chan struct{}
	pollDone  chan struct{}
	closeOnce sync.Once

	// The group commit of PutRecords: puts are the calls waiting, under
	// putsMu; writeMu is held by the call that writes a group.
	putsMu  sync.Mutex
	puts    []*putCall
	writeMu sync.Mutex
}

// Open connects to the database at url (a libpq URL or key=value string:
// several hosts with target_session_attrs=read-write find the primary),
// brings its schema to the current version and returns the store.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	seal, err := newSealer(o.EncryptionKey, o.plaintext)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{pool: pool, seal: seal, log: log, pollStop: make(chan struct{}), pollDone: make(chan struct{})}
	db.cap.wake = make(chan struct{}, 1)
	fsys := o.migrations
	if fsys == nil {
		if fsys, err = fs.Sub(migrations, "migrations"); err != nil {
			pool.Close()
			return nil, fmt.Errorf("open store: %w", err)
		}
	}
	if db.known, err = knownVersion(fsys); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if _, err := migrate(ctx, pool, fsys, log); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := db.checkKey(ctx, db.pool.QueryRow, db.pool.Exec); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.cap.check(ctx, pool, openCheckTimeout)
	every := o.PollEvery
	if every <= 0 {
		every = 3 * time.Second
	}
	go db.poll(every)
	return db, nil
}

// migrate brings the schema to the version of the migrations in fsys,
// under goose's session advisory lock (pg_try_advisory_lock on a
// connection of its own, tried every second for ten minutes): a second
// node starting at the same moment waits for the first and then finds
// nothing to do. It returns the database's schema version.
//
// Rolling upgrades. Migrations only expand the schema within a release
// (new tables, nullable columns or columns with defaults, indexes: the
// rule TestMigrationsOnlyExpand keeps), and every statement names its
// columns, so code of the release before serves on a schema migrated
// by the newer code. A database whose schema is newer than fsys is
// therefore taken as it is (goose itself applies nothing then and says
// nothing: the migrations it knows are all applied), with a warning; a
// database that still lacks migrations of fsys after the attempt (they
// failed: no right to create, a conflicting object, a gap) is refused
// with ErrSchemaBehind, as this code's statements need them.
func migrate(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, log *slog.Logger) (int64, error) {
	sqldb := stdlib.OpenDBFromPool(pool)
	defer sqldb.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
	if err != nil {
		return 0, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, fsys,
		goose.WithSessionLocker(locker), goose.WithSlog(log), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var needs int64
	for _, s := range p.ListSources() {
		needs = max(needs, s.Version)
	}
	if _, err := p.Up(ctx); err != nil {
		if unavailable(err) {
			// No database was reached, or it went away: nothing is
			// known of its schema.
			return 0, fmt.Errorf("migrate: %w: %w", store.ErrUnavailable, err)
		}
		at, verr := schemaVersion(ctx, sqldb, p)
		return 0, fmt.Errorf("the schema is at version %d, this program needs %d, and migrating failed: %w: %w",
			at, needs, errors.Join(err, verr), ErrSchemaBehind)
	}
	pending, err := p.HasPending(ctx)
	if err == nil && pending {
		err = errors.New("migrations are still pending after migrating")
	}
	at, verr := schemaVersion(ctx, sqldb, p)
	if err := errors.Join(err, verr); err != nil {
		return 0, fmt.Errorf("schema version %d, this program needs %d: %w: %w", at, needs, err, ErrSchemaBehind)
	}
	if at > needs {
		log.Warn("the database's schema is newer than this program's: serving on it, as migrations only expand it within a release (a rolling upgrade is under way; upgrade this node too)",
			"schema", at, "known", needs)
	}
	return at, nil
}

// ErrSchemaBehind means the database's schema lacks migrations this
// program needs and they could not be applied.
var ErrSchemaBehind = errors.New("the database's schema is older than this program needs")

// schemaVersion is the highest migration the database records, 0 before
// any.
func schemaVersion(ctx context.Context, sqldb *sql.DB, p *goose.Provider) (int64, error) {
	var exists bool
	if err := sqldb.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// ErrWrongKey means the store's data was sealed with another key than
// the one given.
var ErrWrongKey = errors.New("the encryption key is not the one this database was sealed with")

const (
	tSealCheck = "seal_check"
	sealCheck  = "beredskap seal check"
)

// checkKey seals a known value into seal_check the first time, and
// opens it every time: another key does not open it.
func (db *DB) checkKey(ctx context.Context, queryRow func(context.Context, string, ...any) pgx.Row,
	exec func(context.Context, string, ...any) (pgconn.CommandTag, error)) error {
	if exec != nil {
		if _, err := exec(ctx, `INSERT INTO seal_check (id, data) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`,
			db.seal.seal(tSealCheck, "1", []byte(sealCheck))); err != nil {
			return fmt.Errorf("seal check: %w", db.mapErr(err))
		}
	}
	var data []byte
	if err := queryRow(ctx, `SELECT data FROM seal_check WHERE id = 1`).Scan(&data); err != nil {
		return fmt.Errorf("seal check: %w", db.mapErr(err))
	}
	if b, err := db.seal.open(tSealCheck, "1", data); err != nil || string(b) != sealCheck {
		return fmt.Errorf("%w (%v)", ErrWrongKey, err)
	}
	return nil
}

// SchemaVersion is the schema this code migrates to.
func SchemaVersion() int64 {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return 0
	}
	v, _ := knownVersion(fsys)
	return v
}

// knownVersion is the highest version among the migrations in fsys.
func knownVersion(fsys fs.FS) (int64, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var v int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v, nil
}

// Close stops the store's poll and closes the pool. It waits for
// connections in use to be given back.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		close(db.pollStop)
		<-db.pollDone
		db.pool.Close()
	})
	return nil
}

// Pool is the store's connection pool, for tests and tools that reach
// past the contract. No capability package uses it.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// tx runs fn in a read-committed transaction and commits it. A deadlock
// or a serialization failure (neither should happen: locks are taken in
// one order, the audit head last) is tried again, so fn must start from
// nothing each time.
func (db *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := pgx.BeginFunc(ctx, db.pool, fn)
		if c := code(err); (c == "40P01" || c == "40001") && attempt < 3 {
			continue
		}
		return db.mapErr(err)
	}
}

// code is the SQLSTATE of a database error, or "".
func code(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// constraint is the constraint a database error names, or "".
func constraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

// mapErr turns the database's refusal for want of disk space (SQLSTATE
// 53100 disk_full, and 53000/53200 insufficient resources / out of
// memory are not that) into ErrInsufficientStorage, which the server
// answers 503 with Retry-After, and notes it for Storage.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if code(err) == "53100" {
		db.cap.diskFull()
		return fmt.Errorf("%w: the database's disk is full: %v", store.ErrInsufficientStorage, err)
	}
	if unavailable(err) {
		db.cap.recheck()
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// unavailable reports whether err says that no database taking writes
// was reached, rather than anything about the statement: a connection
// that could not be made to any host of the URL (refused, or only a
// standby there, which target_session_attrs=read-write turns away), a
// connection lost under a statement or a commit (the server was killed:
// the commit's outcome is unknown, and the retry finds what was stored),
// the server ending sessions as it shuts down or crashes (57P01, 57P02),
// not yet taking connections (57P03), a connection exception (class
// 08), or a write refused by a read-only server (25006, a standby or a
// primary demoted under the pool's feet).
func unavailable(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	switch c := code(err); {
	case c == "25006" || c == "57P01" || c == "57P02" || c == "57P03":
		return true
	case strings.HasPrefix(c, "08"):
		return true
	case c != "":
		return false // the server answered, about the statement
	}
	var ne net.Error
	return errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne)
}

// query helpers: each maps the database's errors like tx.

func (db *DB) queryRow(ctx context.Context, sql string, args []any, dest ...any) error {
	return db.mapErr(db.pool.QueryRow(ctx, sql, args...).Scan(dest...))
}

func (db *DB) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := db.pool.Exec(ctx, sql, args...)
	return tag, db.mapErr(err)
}

// Times in query columns are Unix nanoseconds: exact, and ordered as the
// Badger store's keys order them (PostgreSQL's timestamps keep
// microseconds). Times beyond what int64 nanoseconds hold (the zero
// time, "since the beginning") are clamped to its ends.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

func ns(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64
	case t.After(maxTime):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// nsOrNull is ns, or NULL for the zero time.
func nsOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := ns(t)
	return &n
}

// notFound is ErrNotFound naming what was looked for.
func notFound(what, id string) error { return fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound) }

// noRows turns pgx's ErrNoRows into ErrNotFound naming what was asked.
func noRows(err error, what, id string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what, id)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	return nil
}

// DB is the PostgreSQL implementation of the whole store contract.
var _ store.Store = (*DB)(nil)
