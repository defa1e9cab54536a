package kept

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Statuses a findings query can ask for.
const (
	StatusOpen     = "open"
	StatusResolved = "resolved"
)

// Query selects findings: those of a window (reconcile.Covers) in some
// units (nil: every unit), with optional filters, one page at a time.
type Query struct {
	Units        []string
	Since, Until time.Time
	Kind         string
	Unit         string
	Patient      string
	// Status is StatusOpen, StatusResolved or "" for both.
	Status string
	Cursor string
	Limit  int
}

// Page is one page of findings, how many match in all and the cursor of
// the next page ("" at the end).
type Page struct {
	Findings []wire.Finding
	Total    int
	Next     string
}

// DefaultLimit and MaxLimit bound a findings page.
const (
	DefaultLimit = 200
	MaxLimit     = 1000
)

// Findings answers a query, oldest first, with the recorded resolutions.
func (k *Keeper) Findings(ctx context.Context, q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	var after *entry
	if q.Cursor != "" {
		e, err := decodeCursor(q.Cursor)
		if err != nil {
			return Page{}, err
		}
		after = e
	}
	if err := k.catchUp(ctx); err != nil {
		return Page{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	m := k.m
	if m == nil {
		return Page{}, fmt.Errorf("desk: reset while answering")
	}
	match := m.compile(q)
	start := 0
	if after != nil {
		start = sort.Search(len(m.sorted), func(i int) bool { return compareEntries(m.sorted[i], after) > 0 })
	}
	page := Page{}
	var shown []*entry
	for i := range m.slots {
		if !match(&m.slots[i]) {
			continue
		}
		page.Total++
		if i < start {
			continue
		}
		if len(shown) == q.Limit {
			if page.Next == "" {
				page.Next = encodeCursor(shown[len(shown)-1])
			}
			continue
		}
		shown = append(shown, m.sorted[i])
	}
	fs, err := k.show(ctx, m, shown)
	if err != nil {
		return Page{}, err
	}
	for i := range fs {
		if r, ok := m.resolutions[fs[i].ID]; ok {
			fs[i].Resolved = &wire.Resolution{By: r.By, Comment: r.Comment, At: r.At}
		}
	}
	page.Findings = fs
	return page, nil
}

// compile turns a query into a test of slots: interned numbers compared,
// no string or map touched per finding.
func (m *model) compile(q Query) func(*slot) bool {
	var units []uint32
	if q.Units != nil {
		units = []uint32{}
		for _, u := range q.Units {
			if n, ok := m.s.lookup(u); ok {
				units = append(units, n)
			}
		}
	}
	num := func(s string) (uint32, bool) {
		if s == "" {
			return 0, true
		}
		return m.s.lookup(s)
	}
	unit, ok1 := num(q.Unit)
	patient, ok2 := num(q.Patient)
	kind, ok3 := kindNumbers[q.Kind]
	if !ok1 || !ok2 || (q.Kind != "" && !ok3) {
		return func(*slot) bool { return false } // names what no finding holds
	}
	since, until := at(q.Since), at(q.Until)
	return func(s *slot) bool {
		switch {
		case units != nil && !slices.Contains(units, s.unit):
		case q.Unit != "" && s.unit != unit:
		case q.Kind != "" && s.kind != kind:
		case q.Patient != "" && s.patient != patient:
		case q.Status == StatusOpen && s.resolved:
		case q.Status == StatusResolved && !s.resolved:
		// reconcile.Covers, on slots (the tests hold the two to each other).
		case s.plan && (s.at.before(since) || !s.at.before(until)):
		case !s.plan && s.last.before(since):
		default:
			return true
		}
		return false
	}
}

// A cursor is the time and id of the last finding of a page.
func encodeCursor(e *entry) string {
	return base64.RawURLEncoding.EncodeToString([]byte(e.s.at.time().Format(time.RFC3339Nano) + "|" + e.id))
}

func decodeCursor(c string) (*entry, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, store.ErrBadCursor
	}
	ts, id, ok := strings.Cut(string(b), "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil || id == "" {
		return nil, store.ErrBadCursor
	}
	return &entry{id: id, s: slot{at: at(t)}}, nil
}

// FindingUnit returns the unit of a finding kept now, and whether there
// is one with that id.
func (k *Keeper) FindingUnit(ctx context.Context, id string) (string, bool, error) {
	if err := k.catchUp(ctx); err != nil {
		return "", false, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		return "", false, nil
	}
	e, ok := k.m.entries[id]
	if !ok {
		return "", false, nil
	}
	return k.m.s.str(e.s.unit), true, nil
}

// Dashboard counts the records received in the window (since, for
// records) in the units (nil: all) by state and type, the window's
// findings by kind, and those not resolved yet. A quarantined record
// that is still new counts as quarantined.
func (k *Keeper) Dashboard(ctx context.Context, units []string, since, until time.Time) (wire.Dashboard, error) {
	if err := k.catchUp(ctx); err != nil {
		return wire.Dashboard{}, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	m := k.m
	if m == nil {
		return wire.Dashboard{}, fmt.Errorf("desk: reset while answering")
	}
	d := wire.Dashboard{Since: since, Until: until, States: map[string]int{}, Types: map[string]int{}, Findings: map[string]int{}}
	in := m.unitNumbers(units)
	// Counts by number first, named at the end: a million records cost a
	// pass over small integers.
	states, types := map[uint32]int{}, map[uint32]int{}
	s, _ := stampOf(since)
	for i := range m.recs {
		c := &m.recs[i]
		if c.has(flagPurged) || c.has(flagDrill) || c.received < s || (in != nil && !in[c.unit]) {
			continue
		}
		d.Records++
		st := c.state
		if c.has(flagQuarantined) && st == m.stateNew {
			st = m.stateQuarantined
		}
		states[st]++
		types[c.typ]++
	}
	for n, c := range states {
		d.States[m.s.str(n)] = c
	}
	for n, c := range types {
		d.Types[m.s.str(n)] = c
	}
	match := m.compile(Query{Units: units, Since: since, Until: until})
	var kinds [256]int
	for i := range m.slots {
		s := &m.slots[i]
		if !match(s) {
			continue
		}
		kinds[s.kind]++
		if !s.resolved {
			d.Open++
		}
	}
	for i, k := range wire.FindingKinds() {
		if n := kinds[i+1]; n > 0 {
			d.Findings[k] = n
		}
	}
	return d, nil
}

// unitNumbers is the set of interned unit numbers; nil for every unit.
func (m *model) unitNumbers(units []string) map[uint32]bool {
	if units == nil {
		return nil
	}
	set := map[uint32]bool{}
	for _, u := range units {
		if n, ok := m.s.lookup(u); ok {
			set[n] = true
		}
	}
	return set
}

// MatchingRecords counts the records a filter selects, as ListRecords
// would return them page after page (cursor and limit aside).
func (k *Keeper) MatchingRecords(ctx context.Context, f store.RecordFilter) (int, error) {
	// The other servers' records first, as a findings page does.
	if err := k.follow(ctx); err != nil {
		return 0, err
	}
	if _, err := k.ready(ctx); err != nil {
		return 0, err
	}
	defer k.mu.Unlock()
	m := k.m
	in := m.unitNumbers(f.Units)
	// A filter naming a value no record holds matches none.
	num := func(s string) (uint32, bool) {
		if s == "" {
			return 0, true
		}
		return m.s.lookup(s)
	}
	unit, ok1 := num(f.Unit)
	patient, ok2 := num(f.Patient)
	author, ok3 := num(f.Author)
	typ, ok4 := num(string(f.Type))
	state, ok5 := num(f.State)
	if f.State == store.StateQuarantined {
		state, ok5 = 0, true
	}
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return 0, nil
	}
	s, _ := stampOf(f.Since)
	n := 0
	for i := range m.recs {
		c := &m.recs[i]
		switch {
		case c.has(flagPurged):
		case in != nil && !in[c.unit]:
		case f.Unit != "" && c.unit != unit:
		case f.Patient != "" && c.patient != patient:
		case f.Author != "" && c.author != author:
		case f.Type != "" && c.typ != typ:
		case f.State == store.StateQuarantined && !c.has(flagQuarantined):
		case f.State != "" && f.State != store.StateQuarantined && c.state != state:
		case !f.Since.IsZero() && c.received < s:
		case f.Drill != "" && !store.MatchesDrill(f.Drill, m.drillOfRec(c, int32(i))):
		default:
			n++
		}
	}
	return n, nil
}

// All returns every finding kept now with the latest time one of its
// records was received, in the list's order: what the tests compare with
// full recomputation.
func (k *Keeper) All(ctx context.Context) ([]wire.Finding, []time.Time, error) {
	if err := k.catchUp(ctx); err != nil {
		return nil, nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var live []*entry
	var last []time.Time
	for _, e := range k.m.sorted {
		if !e.dead {
			live, last = append(live, e), append(last, e.s.last.time())
		}
	}
	fs, err := k.show(ctx, k.m, live)
	if len(fs) == 0 {
		fs = nil
	}
	return fs, last, err
}
