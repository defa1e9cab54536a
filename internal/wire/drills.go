package wire

import (
	"slices"
	"time"
)

// Drills (issue 19, item 2): a coordinator's preparedness exercise. The
// bundle carries the drills of the worker's units that meet its
// validity; the desk starts, ends and reports on them.

// Drill is a drill as the bundle and the desk carry it. A phone shows it
// as active from Start until End (or Ended, when ended early), and marks
// every record it writes then with its ID.
type Drill struct {
	ID       string    `json:"id"`
	Units    []string  `json:"units"`
	Title    string    `json:"title"`
	Scenario string    `json:"scenario,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	// The desk's view only.
	StartedBy     string     `json:"started_by,omitempty"`
	StartedName   string     `json:"started_name,omitempty"`
	Ended         *time.Time `json:"ended,omitempty"`
	NetworkBack   *time.Time `json:"network_back,omitempty"`
	NetworkBackBy string     `json:"network_back_by,omitempty"`
	// Records counts the drill's records held (the desk's view only).
	Records int `json:"records,omitempty"`
}

// ActiveAt reports whether the drill is under way at t.
func (d Drill) ActiveAt(t time.Time) bool { return !t.Before(d.Start) && t.Before(d.End) }

// DrillRequest starts a drill (POST /api/v1/drills). Start absent means
// now; End is required.
type DrillRequest struct {
	Units    []string   `json:"units"`
	Title    string     `json:"title"`
	Scenario string     `json:"scenario,omitempty"`
	Start    *time.Time `json:"start,omitempty"`
	End      time.Time  `json:"end"`
}

// DrillsResponse lists drills, the latest start first.
type DrillsResponse struct {
	Drills []Drill `json:"drills"`
}

// DrillReport is what a drill showed (GET /api/v1/drills/{id}/report).
type DrillReport struct {
	Drill Drill `json:"drill"`
	// Participants are the workers whose phones held the drill in a
	// bundle or who wrote its records.
	Participants []DrillParticipant `json:"participants"`
	// ByType counts the drill's records by type.
	ByType   map[string]int `json:"by_type"`
	Records  int            `json:"records"`
	Findings []Finding      `json:"findings"`
	// Phones is, per phone that wrote records made before network back,
	// how long after network back the first and the last of them arrived.
	Phones []DrillPhoneSync `json:"phones"`
}

// DrillParticipant is one worker of a drill: whether a phone of theirs
// held it, and how many of its records they wrote.
type DrillParticipant struct {
	UserID  string `json:"user_id"`
	Name    string `json:"name"`
	Held    bool   `json:"held"`
	Records int    `json:"records"`
}

// DrillPhoneSync is one phone's time to sync after network back: from
// network back to the first and to the last of its drill records made
// before network back that the server received. Seconds are never
// negative (a record received before network back counts as 0).
type DrillPhoneSync struct {
	DeviceID     string    `json:"device_id"`
	UserID       string    `json:"user_id"`
	Name         string    `json:"name"`
	Records      int       `json:"records"`
	FirstAt      time.Time `json:"first_at"`
	LastAt       time.Time `json:"last_at"`
	FirstSeconds int64     `json:"first_seconds"`
	LastSeconds  int64     `json:"last_seconds"`
}

// ActiveDrill is the bundle's drill under way at t, nil when none is:
// what the phone's banner shows.
func (b *Bundle) ActiveDrill(t time.Time) *Drill {
	for i := range b.Drills {
		if b.Drills[i].ActiveAt(t) {
			return &b.Drills[i]
		}
	}
	return nil
}

// DrillFor is the id of the bundle's drill that covers a record made at
// t about the patient (the drill is of the patient's unit and under way),
// or "" for a real record.
func (b *Bundle) DrillFor(patientID string, t time.Time) string {
	p, ok := b.Patient(patientID)
	if !ok {
		return ""
	}
	for _, d := range b.Drills {
		if d.ActiveAt(t) && slices.Contains(d.Units, p.UnitID) {
			return d.ID
		}
	}
	return ""
}
