package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// Backup format: a header line, then each table as a line naming it and
// its columns, the table's rows in PostgreSQL's COPY text format, and a
// line "\." (which COPY's text format never writes for a row: a
// backslash in a value is doubled), then "end". The sealed columns are
// copied as they are stored, so a backup is as encrypted as the database
// and opens only with the same key. Every table is read in one
// repeatable-read, read-only transaction: one consistent snapshot, while
// nodes go on writing.

const backupMagic = "beredskap-postgres-backup 1"

// backupTables are the tables a backup holds, in the order Load writes
// them.
var backupTables = []string{tSealCheck, "server_keys", "setup", tAccounts, tSessions, tDevices, tBundles, tUnits, tPatients, tVisits, tDoses,
	tRoutines, tRoutineVers, tAnnouncements, tOutages, tRecords, tFindings, tJobs, tIdentityLinks,
	tProviderOutages, tFallbackSheets, "fallback_codes", tTOTP, tBreakGlass, tExposureTicks, tOutboxReports, tAnnouncementReads, tDrills, tAudit, "audit_head"}

// Backup streams a consistent copy of every table to w. On a database
// whose schema a newer node migrated further (a rolling upgrade under
// way) it is refused with ErrSchemaTooNew: this node knows neither the
// newer tables nor what their rows mean, and its backup would lack them
// while looking whole. The newer version takes the backup.
func (db *DB) Backup(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	err := pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var at int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version WHERE is_applied`).Scan(&at); err != nil {
			return fmt.Errorf("schema version: %w", err)
		}
		if at > db.known {
			return fmt.Errorf("the database's schema is at version %d, this program knows up to %d: take the backup with the newer version: %w",
				at, db.known, store.ErrSchemaTooNew)
		}
		if _, err := fmt.Fprintf(bw, "%s schema=%d\n", backupMagic, db.known); err != nil {
			return err
		}
		for _, t := range backupTables {
			cols, err := columns(ctx, tx, t)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(bw, "table %s %s\n", t, strings.Join(cols, ",")); err != nil {
				return err
			}
			if _, err := tx.Conn().PgConn().CopyTo(ctx, bw, fmt.Sprintf("COPY %s (%s) TO STDOUT", ident(t), idents(cols))); err != nil {
				return fmt.Errorf("table %s: %w", t, err)
			}
			if _, err := bw.WriteString("\\.\n"); err != nil {
				return err
			}
		}
		_, err := bw.WriteString("end\n")
		return err
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("back up the store: %w", db.mapErr(err))
	}
	return nil
}

// columns lists a table's columns in their order.
func columns(ctx context.Context, tx pgx.Tx, table string) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err == nil && len(cols) == 0 {
		err = fmt.Errorf("table %s has no columns", table)
	}
	return cols, err
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func idents(cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = ident(c)
	}
	return strings.Join(out, ", ")
}

// Load reads a stream Backup wrote into this store, which must hold
// nothing yet, in one transaction. A backup of an older schema loads as
// long as later migrations only added columns with defaults (each table
// names its columns); one of a newer schema is ErrSchemaTooNew.
func (db *DB) Load(ctx context.Context, r io.Reader) error {
	return db.load(ctx, r, func(pgx.Tx) error { return nil })
}

// LoadChecked is Load with the server keys checked in the same
// transaction: a key section the backup's tables lack is put in, and
// check is given the server keys the loaded store then holds (nil when
// it holds none). When check fails nothing is loaded: the store stays
// empty, so a restore can be tried again with another backup.
func (db *DB) LoadChecked(ctx context.Context, r io.Reader, section []byte, check func(held []byte) error) error {
	return db.load(ctx, r, func(tx pgx.Tx) error {
		if len(section) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO server_keys (id, data) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, section); err != nil {
				return err
			}
		}
		var held []byte
		if err := tx.QueryRow(ctx, `SELECT data FROM server_keys WHERE id = 1`).Scan(&held); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		return check(held)
	})
}

func (db *DB) load(ctx context.Context, r io.Reader, then func(pgx.Tx) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	header, err := br.ReadString('\n')
	if err != nil {
		return fmt.Errorf("load a backup: header: %w", err)
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(header, "\n"), backupMagic+" schema=")
	if !ok {
		return fmt.Errorf("load a backup: not a backup of a PostgreSQL store")
	}
	v, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		return fmt.Errorf("load a backup: schema version %q", rest)
	}
	if v > db.known {
		return fmt.Errorf("load a backup: schema version %d, this program knows up to %d: %w", v, db.known, store.ErrSchemaTooNew)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		for _, t := range backupTables {
			if t == "audit_head" || t == tSealCheck {
				continue
			}
			var held bool
			if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+ident(t)+")").Scan(&held); err != nil {
				return err
			}
			if held {
				return fmt.Errorf("the store is not empty: table %s holds rows", t)
			}
		}
		// The new store's empty chain head and its key check give way
		// to the backup's.
		if _, err := tx.Exec(ctx, `DELETE FROM audit_head; DELETE FROM seal_check`); err != nil {
			return err
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return fmt.Errorf("the backup ends early: %w", err)
			}
			line = strings.TrimSuffix(line, "\n")
			if line == "end" {
				break
			}
			f := strings.Fields(line)
			if len(f) != 3 || f[0] != "table" || !slices.Contains(backupTables, f[1]) {
				return fmt.Errorf("the backup holds %q where a table should begin", line)
			}
			cols := strings.Split(f[2], ",")
			if _, err := tx.Conn().PgConn().CopyFrom(ctx, &section{r: br}, fmt.Sprintf("COPY %s (%s) FROM STDIN", ident(f[1]), idents(cols))); err != nil {
				return fmt.Errorf("table %s: %w", f[1], err)
			}
		}
		// A backup without a head row, or a key check, gets them.
		if _, err := tx.Exec(ctx, `INSERT INTO audit_head (id, seq, hash)
			SELECT 1, coalesce(max(seq), 0), coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit
			ON CONFLICT (id) DO NOTHING`); err != nil {
			return err
		}
		// A backup sealed with another key is refused whole.
		if err := db.checkKey(ctx, tx.QueryRow, tx.Exec); err != nil {
			return err
		}
		if err := then(tx); err != nil {
			return err
		}
		return db.noteChange(ctx, tx, store.ChangeLoad, nil)
	})
	if err != nil {
		return fmt.Errorf("load a backup: %w", err)
	}
	return nil
}

// section reads one table's COPY data, up to its "\." line.
type section struct {
	r    *bufio.Reader
	buf  []byte
	done bool
}

func (s *section) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.done {
			return 0, io.EOF
		}
		line, err := s.r.ReadBytes('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("the backup ends inside a table: %w", err)
		}
		if string(line) == "\\.\n" {
			s.done = true
			continue
		}
		s.buf = line
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}
