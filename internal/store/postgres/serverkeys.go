package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ServerKeys returns the server's key file held in the database,
// storing proposed first when none is held yet: of nodes starting at the
// same moment, each proposing keys of its own, one puts them and all get
// those (store.KeyVault).
func (db *DB) ServerKeys(ctx context.Context, proposed []byte) ([]byte, error) {
	var held []byte
	err := db.tx(ctx, func(tx pgx.Tx) error {
		if len(proposed) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO server_keys (id, data) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, proposed); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT data FROM server_keys WHERE id = 1`).Scan(&held)
	})
	if err != nil {
		return nil, fmt.Errorf("server keys: %w", err)
	}
	return held, nil
}
