package store

import (
	"context"
	"time"
)

// Sync health (issue 19, item 4): what each phone last said of its
// outbox, and who has read which announcement. A phone reports at every
// contact how many records wait in its outbox and when the oldest of them
// was made; the desk lists the phones that still hold records after an
// outage and those not seen since it began. A read mark is a user's, per
// announcement: the first one kept is when she read it.

// OutboxReport is what a phone last reported of its outbox, kept per
// device (the session's device that sent it).
type OutboxReport struct {
	DeviceID string `json:"device_id"`
	// Waiting is how many records the phone said wait to be sent.
	Waiting int `json:"waiting"`
	// OldestWaiting is when the oldest of them was made (the phone's
	// time), nil when none waits.
	OldestWaiting *time.Time `json:"oldest_waiting,omitempty"`
	// Reported is when the server received the report.
	Reported time.Time `json:"reported"`
}

// AnnouncementRead is a user's read mark of an announcement.
type AnnouncementRead struct {
	AnnouncementID string `json:"announcement_id"`
	UserID         string `json:"user_id"`
	// DeviceID is the phone the mark came from.
	DeviceID string `json:"device_id,omitempty"`
	// At is when the user read it (the phone's time, no later than
	// Reported); Reported is when the server received the mark.
	At       time.Time `json:"at"`
	Reported time.Time `json:"reported"`
}

// SyncHealth holds the phones' outbox reports and the announcements'
// read marks.
type SyncHealth interface {
	// ReportOutbox stores the device's report in place of the one before;
	// an unknown device is ErrNotFound and nothing is stored.
	ReportOutbox(ctx context.Context, r OutboxReport) error
	// OutboxReports returns the latest report of every device that sent
	// one, by device id.
	OutboxReports(ctx context.Context) ([]OutboxReport, error)
	// MarkAnnouncementsRead stores read marks. A user's mark of an
	// announcement she has marked before changes nothing: the first
	// reading is the one kept.
	MarkAnnouncementsRead(ctx context.Context, marks []AnnouncementRead) error
	// AnnouncementReads returns the read marks of the announcements with
	// the ids, by announcement id and then user id.
	AnnouncementReads(ctx context.Context, announcementIDs []string) ([]AnnouncementRead, error)
}
