package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/store"
)

// Sync health (store.SyncHealth): a device's latest outbox report, one
// row per device, and the announcements' read marks, one row per
// announcement and user.

const (
	tOutboxReports     = "outbox_reports"
	tAnnouncementReads = "announcement_reads"
)

// ReportOutbox stores the device's report in place of the one before.
func (db *DB) ReportOutbox(ctx context.Context, r store.OutboxReport) error {
	if r.DeviceID == "" || r.Waiting < 0 {
		return fmt.Errorf("report outbox: a device and a count of at least 0 are required")
	}
	r.Reported = r.Reported.UTC()
	if r.OldestWaiting != nil {
		t := r.OldestWaiting.UTC()
		r.OldestWaiting = &t
	}
	data, err := db.seal.sealJSON(tOutboxReports, r.DeviceID, r)
	if err != nil {
		return fmt.Errorf("report outbox of %s: %w", r.DeviceID, err)
	}
	tag, err := db.exec(ctx, `INSERT INTO outbox_reports (id, data)
		SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM devices WHERE id = $1)
		ON CONFLICT (id) DO UPDATE SET data = excluded.data`, r.DeviceID, data)
	if err != nil {
		return fmt.Errorf("report outbox of %s: %w", r.DeviceID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("report outbox: device %s: %w", r.DeviceID, store.ErrNotFound)
	}
	return nil
}

// OutboxReports returns the latest report of every device that sent one.
func (db *DB) OutboxReports(ctx context.Context) ([]store.OutboxReport, error) {
	return list[store.OutboxReport](ctx, db, "outbox reports", tOutboxReports, `SELECT id, data FROM outbox_reports ORDER BY id`)
}

// MarkAnnouncementsRead stores the read marks not held yet, in one
// transaction.
func (db *DB) MarkAnnouncementsRead(ctx context.Context, marks []store.AnnouncementRead) error {
	for _, m := range marks {
		if m.AnnouncementID == "" || m.UserID == "" {
			return fmt.Errorf("mark announcements read: announcement and user are required")
		}
	}
	if len(marks) == 0 {
		return nil
	}
	err := db.tx(ctx, func(tx pgx.Tx) error {
		for _, m := range marks {
			m.At, m.Reported = m.At.UTC(), m.Reported.UTC()
			id := m.AnnouncementID + "/" + m.UserID
			data, err := db.seal.sealJSON(tAnnouncementReads, id, m)
			if err != nil {
				return err
			}
			// The first reading is the one kept.
			if _, err := tx.Exec(ctx, `INSERT INTO announcement_reads (id, announcement_id, data) VALUES ($1, $2, $3)
				ON CONFLICT (id) DO NOTHING`, id, m.AnnouncementID, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark announcements read: %w", err)
	}
	return nil
}

// AnnouncementReads returns the read marks of the announcements.
func (db *DB) AnnouncementReads(ctx context.Context, ids []string) ([]store.AnnouncementRead, error) {
	ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return nil, nil
	}
	return list[store.AnnouncementRead](ctx, db, "announcement reads", tAnnouncementReads,
		`SELECT id, data FROM announcement_reads WHERE announcement_id = ANY($1) ORDER BY announcement_id, id`, ids)
}
