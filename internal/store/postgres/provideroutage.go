package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// Logging in without the identity provider (store.LoginFallback), for
// every node together. Using a fallback code or a TOTP step is one
// conditional UPDATE (the code not used yet, the step after the last
// one): of two nodes trying at once, the second waits for the first's
// row lock, finds the condition false, and is refused.

const (
	tProviderOutages = "provider_outages"
	tFallbackSheets  = "fallback_sheets"
	tTOTP            = "totp_secrets"
	tBreakGlass      = "break_glass_uses"
)

// lockProviderOutages serialises the "one active" check of a
// declaration across nodes (the number is the migration's, 00007).
const lockProviderOutages int64 = 0x42524544_00000007

func (db *DB) putProviderOutage(ctx context.Context, tx pgx.Tx, o store.ProviderOutage) error {
	data, err := db.seal.sealJSON(tProviderOutages, o.ID, o)
	if err != nil {
		return err
	}
	var end *int64
	if o.End != nil {
		n := ns(*o.End)
		end = &n
	}
	_, err = tx.Exec(ctx, `INSERT INTO provider_outages (id, start_ns, until_ns, end_ns, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET end_ns = excluded.end_ns, data = excluded.data`,
		o.ID, ns(o.Start), ns(o.Until), end, data)
	return err
}

// activeProviderOutage returns the outage active at at, under tx.
func (db *DB) activeProviderOutage(ctx context.Context, tx pgx.Tx, at time.Time) (store.ProviderOutage, bool, error) {
	rows, err := tx.Query(ctx, `SELECT id, data FROM provider_outages
		WHERE start_ns <= $1 AND until_ns > $1 AND (end_ns IS NULL OR end_ns > $1) ORDER BY start_ns DESC, id DESC`, ns(at))
	if err != nil {
		return store.ProviderOutage{}, false, err
	}
	all, err := collect[store.ProviderOutage](db, tProviderOutages, rows)
	if err != nil || len(all) == 0 {
		return store.ProviderOutage{}, false, err
	}
	return all[0], true, nil
}

// DeclareProviderOutage stores o unless an outage is active at o.Start.
func (db *DB) DeclareProviderOutage(ctx context.Context, o store.ProviderOutage, a store.Audit) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := advisoryLock(ctx, tx, lockProviderOutages); err != nil {
			return err
		}
		old, active, err := db.activeProviderOutage(ctx, tx, o.Start)
		if err != nil {
			return err
		}
		if active {
			return fmt.Errorf("%w: an outage of the identity provider is active until %s", store.ErrProviderOutageState, old.Until.Format(time.RFC3339))
		}
		if err := db.putProviderOutage(ctx, tx, o); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, o.Start, a)
	})
	if err != nil {
		return fmt.Errorf("declare provider outage: %w", err)
	}
	return nil
}

// EndProviderOutage ends the outage active at at.
func (db *DB) EndProviderOutage(ctx context.Context, by string, at time.Time, a store.Audit) (store.ProviderOutage, error) {
	var o store.ProviderOutage
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if err := advisoryLock(ctx, tx, lockProviderOutages); err != nil {
			return err
		}
		cur, active, err := db.activeProviderOutage(ctx, tx, at)
		if err != nil {
			return err
		}
		if !active {
			return fmt.Errorf("%w: no outage of the identity provider is active", store.ErrProviderOutageState)
		}
		end := at.UTC()
		cur.End, cur.EndedBy = &end, by
		if err := db.putProviderOutage(ctx, tx, cur); err != nil {
			return err
		}
		o = cur
		if a.Subject == "" {
			a.Subject = o.ID
		}
		return db.appendAudit(ctx, tx, at, a)
	})
	if err != nil {
		return o, fmt.Errorf("end provider outage: %w", err)
	}
	return o, nil
}

// ProviderOutages lists up to limit declarations, newest first.
func (db *DB) ProviderOutages(ctx context.Context, limit int) ([]store.ProviderOutage, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	return list[store.ProviderOutage](ctx, db, "provider outages", tProviderOutages,
		`SELECT id, data FROM provider_outages ORDER BY start_ns DESC, id DESC LIMIT $1`, limit)
}

// fallbackSheetHead is what fallback_sheets seals of a sheet; the codes
// are rows of their own.
type fallbackSheetHead struct {
	ID       string    `json:"id"`
	Issued   time.Time `json:"issued"`
	IssuedBy string    `json:"issued_by"`
}

// PutFallbackSheet replaces the user's sheet: the old codes' rows go.
func (db *DB) PutFallbackSheet(ctx context.Context, s store.FallbackSheet, a store.Audit) error {
	if s.UserID == "" || len(s.Codes) == 0 {
		return errors.New("put fallback sheet: a user and codes are required")
	}
	data, err := db.seal.sealJSON(tFallbackSheets, s.UserID, fallbackSheetHead{ID: s.ID, Issued: s.Issued, IssuedBy: s.IssuedBy})
	if err != nil {
		return fmt.Errorf("put fallback sheet: %w", err)
	}
	hashes := make([]string, len(s.Codes))
	idx := make([]int32, len(s.Codes))
	used := make([]*int64, len(s.Codes))
	for i, c := range s.Codes {
		hashes[i], idx[i] = c.Hash, int32(i)
		if c.Used != nil {
			n := ns(*c.Used)
			used[i] = &n
		}
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO fallback_sheets (user_id, data) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET data = excluded.data`, s.UserID, data); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM fallback_codes WHERE user_id = $1`, s.UserID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO fallback_codes (user_id, hash, idx, used_ns)
			SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])`, s.UserID, hashes, idx, used); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, s.Issued, a)
	})
	if err != nil {
		return fmt.Errorf("put fallback sheet of %s: %w", s.UserID, err)
	}
	return nil
}

// FallbackSheet returns the user's current sheet.
func (db *DB) FallbackSheet(ctx context.Context, userID string) (store.FallbackSheet, error) {
	var s store.FallbackSheet
	var data []byte
	err := db.queryRow(ctx, `SELECT data FROM fallback_sheets WHERE user_id = $1`, []any{userID}, &data)
	if err := noRows(err, "fallback sheet of", userID); err != nil {
		return s, err
	}
	var head fallbackSheetHead
	if err := db.seal.openJSON(tFallbackSheets, userID, data, &head); err != nil {
		return s, err
	}
	s = store.FallbackSheet{ID: head.ID, UserID: userID, Issued: head.Issued, IssuedBy: head.IssuedBy}
	rows, err := db.pool.Query(ctx, `SELECT hash, used_ns FROM fallback_codes WHERE user_id = $1 ORDER BY idx`, userID)
	if err != nil {
		return s, fmt.Errorf("fallback codes of %s: %w", userID, db.mapErr(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c store.FallbackCode
		var used *int64
		if err := rows.Scan(&c.Hash, &used); err != nil {
			return s, fmt.Errorf("fallback codes of %s: %w", userID, err)
		}
		if used != nil {
			t := time.Unix(0, *used).UTC()
			c.Used = &t
		}
		s.Codes = append(s.Codes, c)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("fallback codes of %s: %w", userID, db.mapErr(err))
	}
	return s, nil
}

// UseFallbackCode marks one code of the user's sheet used, if it was not.
func (db *DB) UseFallbackCode(ctx context.Context, userID, hash string, at time.Time, a store.Audit) error {
	err := db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE fallback_codes SET used_ns = $3 WHERE user_id = $1 AND hash = $2 AND used_ns IS NULL`, userID, hash, ns(at))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var held bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fallback_codes WHERE user_id = $1 AND hash = $2)`, userID, hash).Scan(&held); err != nil {
				return err
			}
			if held {
				return fmt.Errorf("a fallback code of %s: %w", userID, store.ErrFallbackCodeUsed)
			}
			return fmt.Errorf("a fallback code of %s: %w", userID, store.ErrNotFound)
		}
		return db.appendAudit(ctx, tx, at, a)
	})
	if err != nil {
		return fmt.Errorf("use fallback code: %w", err)
	}
	return nil
}

// PutTOTP stores or replaces the user's TOTP secret, sealed.
func (db *DB) PutTOTP(ctx context.Context, t store.TOTPSecret, a store.Audit) error {
	if t.UserID == "" || t.Secret == "" {
		return errors.New("put TOTP: a user and a secret are required")
	}
	t.LastStep = 0
	data, err := db.seal.sealJSON(tTOTP, t.UserID, t)
	if err != nil {
		return fmt.Errorf("put TOTP: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO totp_secrets (user_id, last_step, data) VALUES ($1, 0, $2)
			ON CONFLICT (user_id) DO UPDATE SET last_step = 0, data = excluded.data`, t.UserID, data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, t.Enrolled, a)
	})
	if err != nil {
		return fmt.Errorf("put TOTP of %s: %w", t.UserID, err)
	}
	return nil
}

// TOTP returns the user's TOTP secret.
func (db *DB) TOTP(ctx context.Context, userID string) (store.TOTPSecret, error) {
	var t store.TOTPSecret
	var data []byte
	var last int64
	err := db.queryRow(ctx, `SELECT last_step, data FROM totp_secrets WHERE user_id = $1`, []any{userID}, &last, &data)
	if err := noRows(err, "TOTP secret of", userID); err != nil {
		return t, err
	}
	if err := db.seal.openJSON(tTOTP, userID, data, &t); err != nil {
		return t, err
	}
	t.LastStep = last
	return t, nil
}

// UseTOTPStep records a break-glass login at step u.Step, if it comes
// after the last step used.
func (db *DB) UseTOTPStep(ctx context.Context, u store.BreakGlassUse, a store.Audit) error {
	data, err := db.seal.sealJSON(tBreakGlass, u.ID, u)
	if err != nil {
		return fmt.Errorf("use TOTP step: %w", err)
	}
	err = db.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE totp_secrets SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, u.UserID, u.Step)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var held bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM totp_secrets WHERE user_id = $1)`, u.UserID).Scan(&held); err != nil {
				return err
			}
			if held {
				return fmt.Errorf("step %d of %s: %w", u.Step, u.UserID, store.ErrTOTPReused)
			}
			return notFound("TOTP secret of", u.UserID)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO break_glass_uses (id, at_ns, data) VALUES ($1, $2, $3)`, u.ID, ns(u.At), data); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, u.At, a)
	})
	if err != nil {
		return fmt.Errorf("use TOTP step: %w", err)
	}
	return nil
}

// BreakGlassUses lists up to limit uses, newest first.
func (db *DB) BreakGlassUses(ctx context.Context, limit int) ([]store.BreakGlassUse, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	return list[store.BreakGlassUse](ctx, db, "break-glass uses", tBreakGlass,
		`SELECT id, data FROM break_glass_uses ORDER BY at_ns DESC, id DESC LIMIT $1`, limit)
}
