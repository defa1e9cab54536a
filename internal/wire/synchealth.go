package wire

import (
	"net/url"
	"strconv"
	"time"
)

// Sync health (issue 19, item 4). At every contact a phone says how many
// records wait in its outbox and when the oldest was made (OutboxReport:
// in a sync request's "outbox", and as the query parameters
// outbox_waiting and outbox_oldest of GET /api/v1/bundle), and which
// announcements its user has read (a sync request's "read"). All of it is
// optional: a phone or another system that sends none of it is served as
// before.

// Query parameters of GET /api/v1/bundle that carry an OutboxReport.
const (
	QueryOutboxWaiting = "outbox_waiting"
	QueryOutboxOldest  = "outbox_oldest"
)

// Limits of what a phone reports.
const (
	// MaxOutboxWaiting bounds a reported count: far above what a phone's
	// storage holds, so that a larger one is a broken value.
	MaxOutboxWaiting = 1_000_000
	// MaxReadMarks is how many read marks one request may carry: more
	// than a shift's announcements.
	MaxReadMarks = 200
	// MaxReportAhead is how far after the server's clock a reported time
	// may lie (a phone's clock runs a little ahead); later is a broken
	// value.
	MaxReportAhead = 24 * time.Hour
)

// OutboxReport is what a phone says of its outbox at a contact.
type OutboxReport struct {
	// Waiting is how many records wait in the phone's outbox besides
	// those the request itself carries (they are answered with it): what
	// will still wait once the server has answered.
	Waiting int `json:"waiting"`
	// OldestWaiting is when the oldest of them was made, by the phone's
	// clock; absent when none waits.
	OldestWaiting *time.Time `json:"oldest_waiting,omitempty"`
}

// Query returns the report as the bundle request's query parameters.
func (r OutboxReport) Query() url.Values {
	q := url.Values{QueryOutboxWaiting: {strconv.Itoa(r.Waiting)}}
	if r.OldestWaiting != nil {
		q.Set(QueryOutboxOldest, r.OldestWaiting.UTC().Format(time.RFC3339Nano))
	}
	return q
}

// AnnouncementRead says that the phone's user read (acknowledged) an
// announcement, and when by the phone's clock. The server keeps it for
// the session's user.
type AnnouncementRead struct {
	ID string    `json:"id"`
	At time.Time `json:"at"`
}

// SyncHealth is the desk's view of the phones after an outage
// (GET /api/v1/sync-health): the phones that still held records when
// they last reported after the outage ended, the phones not seen since it
// began, and who has read the important announcements. Outage is the
// last declared outage (nil when none was ever declared: then no phone
// is listed, and the announcements are those of the last 24 hours).
type SyncHealth struct {
	Outage *Outage  `json:"outage,omitempty"`
	Units  []string `json:"units"`
	// Waiting are phones whose last report, after the outage ended (or
	// during it, while it lasts), said records were waiting.
	Waiting []PhoneHealth `json:"waiting"`
	// Unseen are phones in use when the outage began (a shift issued to
	// them in the offline hours before it) that the server has not heard
	// from since it began.
	Unseen        []PhoneHealth      `json:"unseen"`
	Announcements []AnnouncementSeen `json:"announcements"`
	Counts        SyncHealthCounts   `json:"counts"`
	Generated     time.Time          `json:"generated"`
}

// SyncHealthCounts are the overview's numbers.
type SyncHealthCounts struct {
	Waiting        int `json:"waiting_phones"`
	WaitingRecords int `json:"waiting_records"`
	Unseen         int `json:"unseen_phones"`
	// Unread is how many of the intended readers have not read one or
	// more of the important announcements listed.
	Unread int `json:"unread"`
}

// PhoneHealth is one phone: its worker, whom a coordinator calls, and
// what it last said.
type PhoneHealth struct {
	DeviceID    string `json:"device_id"`
	DeviceLabel string `json:"device_label,omitempty"`
	WorkerID    string `json:"worker_id"`
	WorkerName  string `json:"worker_name,omitempty"`
	Username    string `json:"username,omitempty"`
	// Units are the worker's units (those the caller sees).
	Units []string `json:"units"`
	// LastContact is the last time the server heard from the phone.
	LastContact *time.Time `json:"last_contact,omitempty"`
	// Waiting and OldestWaiting are the phone's last report, made at
	// Reported; absent when it never reported.
	Waiting       *int       `json:"waiting,omitempty"`
	OldestWaiting *time.Time `json:"oldest_waiting,omitempty"`
	Reported      *time.Time `json:"reported,omitempty"`
	Revoked       *time.Time `json:"revoked,omitempty"`
}

// AnnouncementSeen is an important announcement with who of its intended
// readers (the workers and nurses it is addressed to, in the caller's
// units) has read it and who has not.
type AnnouncementSeen struct {
	ID     string         `json:"id"`
	Text   string         `json:"text"`
	Author string         `json:"author,omitempty"`
	Posted time.Time      `json:"posted"`
	Units  []string       `json:"units,omitempty"`
	Read   []ReaderStatus `json:"read"`
	Unread []ReaderStatus `json:"unread"`
}

// ReaderStatus is one intended reader of an announcement; At is when she
// read it (absent in Unread).
type ReaderStatus struct {
	UserID   string     `json:"user_id"`
	Name     string     `json:"name,omitempty"`
	Username string     `json:"username,omitempty"`
	At       *time.Time `json:"at,omitempty"`
}
