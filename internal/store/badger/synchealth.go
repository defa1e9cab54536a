package badger

import (
	"context"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// Sync health (store.SyncHealth): a device's latest outbox report at
// "outboxreport/<device>", and a read mark at
// "annread/<announcement>/<user>".

func outboxReportKey(deviceID string) string  { return "outboxreport/" + deviceID }
func announcementReadPrefix(id string) string { return "annread/" + id + "/" }

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
	err := db.update(ctx, func(txn *badger.Txn) error {
		ok, err := exists(txn, deviceKey(r.DeviceID))
		if err != nil {
			return err
		}
		if !ok {
			return notFound(deviceKey(r.DeviceID))
		}
		return putJSON(txn, outboxReportKey(r.DeviceID), r)
	})
	if err != nil {
		return fmt.Errorf("report outbox of %s: %w", r.DeviceID, err)
	}
	return nil
}

// OutboxReports returns the latest report of every device that sent one.
func (db *DB) OutboxReports(ctx context.Context) ([]store.OutboxReport, error) {
	var out []store.OutboxReport
	err := db.view(ctx, func(txn *badger.Txn) (err error) {
		out, err = scanJSON[store.OutboxReport](txn, "outboxreport/")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("outbox reports: %w", err)
	}
	return out, nil
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
	err := db.update(ctx, func(txn *badger.Txn) error {
		for _, m := range marks {
			key := announcementReadPrefix(m.AnnouncementID) + m.UserID
			ok, err := exists(txn, key)
			if err != nil {
				return err
			}
			if ok {
				continue // the first reading is the one kept
			}
			m.At, m.Reported = m.At.UTC(), m.Reported.UTC()
			if err := putJSON(txn, key, m); err != nil {
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
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []store.AnnouncementRead
	err := db.view(ctx, func(txn *badger.Txn) error {
		for _, id := range ids {
			if id == "" {
				continue
			}
			marks, err := scanJSON[store.AnnouncementRead](txn, announcementReadPrefix(id))
			if err != nil {
				return err
			}
			out = append(out, marks...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("announcement reads: %w", err)
	}
	return out, nil
}
