package store

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Drills (issue 19, item 2): a coordinator's preparedness exercise for
// some units over a time window. Phones that hold it in their shift show
// that it is a drill and mark what they write with its id; the server
// marks every record of a covered unit and time the same, and keeps such
// records apart from the real documentation.

// Audit actions of drills.
const (
	AuditDrillStart       = "drill.start"
	AuditDrillEnd         = "drill.end"
	AuditDrillNetworkBack = "drill.network_back"
	// AuditDrillMismatch says a record named a drill that does not cover
	// its unit and time: it was stored, not as that drill's record.
	AuditDrillMismatch = "drill.mismatch"
)

// Drill is a preparedness exercise: its units, its window [Start, End)
// and, once marked, the moment its simulated outage ended (NetworkBack).
type Drill struct {
	ID       string    `json:"id"`
	Units    []string  `json:"units"`
	Title    string    `json:"title"`
	Scenario string    `json:"scenario,omitempty"`
	Start    time.Time `json:"start"`
	// End is the planned end, or the moment it was ended early (Ended).
	End       time.Time `json:"end"`
	StartedBy string    `json:"started_by"`
	Created   time.Time `json:"created"`
	// EndedBy and Ended say who ended the drill before its planned end,
	// and when.
	EndedBy string     `json:"ended_by,omitempty"`
	Ended   *time.Time `json:"ended,omitempty"`
	// NetworkBack is when the coordinator said the network was back;
	// NetworkBackBy who.
	NetworkBack   *time.Time `json:"network_back,omitempty"`
	NetworkBackBy string     `json:"network_back_by,omitempty"`
}

// Covers reports whether the drill covers a record of unit made at t.
func (d Drill) Covers(unit string, t time.Time) bool {
	return slices.Contains(d.Units, unit) && !t.Before(d.Start) && t.Before(d.End)
}

// Overlaps reports whether the drill's window meets [from, to); a drill
// called off before it began has an empty window and meets none.
func (d Drill) Overlaps(from, to time.Time) bool {
	return d.Start.Before(d.End) && d.Start.Before(to) && d.End.After(from)
}

// ErrDrillExists means a drill id was used before; nothing was stored.
var ErrDrillExists = errors.New("drill already stored")

// Drills holds the drills.
type Drills interface {
	// CreateDrill stores a new drill and its audit entry, durably; an id
	// used before is ErrDrillExists.
	CreateDrill(ctx context.Context, d Drill, a Audit) error
	// Drill returns one drill; an unknown id is ErrNotFound.
	Drill(ctx context.Context, id string) (Drill, error)
	// Drills returns every drill, the latest start first.
	Drills(ctx context.Context) ([]Drill, error)
	// ChangeDrill reads the drill, lets change alter it and stores it
	// with the audit entry, in one transaction: a change that returns an
	// error stores nothing and ChangeDrill returns that error. Its Id is
	// kept. An unknown id is ErrNotFound.
	ChangeDrill(ctx context.Context, id string, change func(*Drill) error, a Audit) (Drill, error)
}

// SortDrills orders drills the latest start first, then by id.
func SortDrills(ds []Drill) {
	slices.SortStableFunc(ds, func(a, b Drill) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}
