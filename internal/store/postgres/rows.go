package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Most tables are read the same way: the sealed data of the row with an
// id, or of the rows a query selects as (id, data).

// one opens the data of the row of table with id into v; no such row is
// ErrNotFound naming what and id.
func (db *DB) one(ctx context.Context, q pgx.Tx, what, table, id string, v any) error {
	var data []byte
	var err error
	if q != nil {
		err = q.QueryRow(ctx, "SELECT data FROM "+table+" WHERE id = $1", id).Scan(&data)
	} else {
		err = db.pool.QueryRow(ctx, "SELECT data FROM "+table+" WHERE id = $1", id).Scan(&data)
	}
	if err := noRows(db.mapErr(err), what, id); err != nil {
		return err
	}
	return db.seal.openJSON(table, id, data, v)
}

// list opens the data of every row sql selects as (id, data), in its
// order.
func list[T any](ctx context.Context, db *DB, what, table, sql string, args ...any) ([]T, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, db.mapErr(err))
	}
	out, err := collect[T](db, table, rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, db.mapErr(err))
	}
	return out, nil
}

func collect[T any](db *DB, table string, rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		var v T
		if err := db.seal.openJSON(table, id, data, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
