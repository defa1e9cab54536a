// Package kept keeps the coordinators' desk: the findings and the
// dashboard's counts, maintained as records arrive, are reconciled,
// voided and purged, as the plan changes and as time passes, so that a
// request costs what its page costs and not what the store holds.
//
// What it keeps is derived: the store is the only record of what
// happened, and the keeper rebuilds itself from the store when it starts.
// A server killed in the middle of a write therefore restarts with
// findings and counts that match the store, whatever the bookkeeping was
// doing. Findings are computed by internal/reconcile's rules, one patient
// or one device at a time (reconcile.PatientFindings and DeviceFindings),
// and only for the patients and devices a write touched or whose plan
// time has come; full recomputation over the whole store gives the same
// set, which the tests check after random sequences of events.
package kept

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// Source is what the keeper reads: the plan, the records, the bundles
// issued and the findings resolved.
type Source interface {
	store.Schedule
	store.Records
	store.Bundles
	store.Findings
}

// Options set the rules the findings are kept by.
type Options struct {
	// OfflineFor is the bundles' validity: later than that is a late sync.
	OfflineFor time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// FollowEvery is how often Run reads the store's change feed, when
	// it has one; zero means a second.
	FollowEvery time.Duration
}

// Keeper holds the desk. Its methods are safe for concurrent use.
type Keeper struct {
	db  Source
	opt Options

	mu sync.Mutex
	m  *model // nil until built
	// pending holds what the store reported while the first build ran,
	// applied when it is done.
	pending  []func(*model)
	building chan struct{} // closed when the running build ends
	// planStale says the plan must be read again before the next answer.
	planStale bool
	// planPending says the last plan written failed, and the store may
	// finish writing it by itself (a large plan, staged): until a plan is
	// written without error, Run reads the plan again every minute.
	planPending bool
	// purgedBefore, when not zero, asks for the records reconciled before
	// it to be checked against the store (a purge ran).
	purgedBefore time.Time
	wake         chan struct{}

	// feed is the store's change feed, when it has one (several servers
	// on one store): the desk follows it to learn the others' writes
	// (feed.go). pos is the feed's position the desk k.m holds up to.
	feed     store.ChangeFeed
	pos      uint64
	followMu sync.Mutex // one follow at a time
}

// New returns a keeper over db. It builds itself on first use, or when Run
// starts.
func New(db Source, opt Options) *Keeper {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.FollowEvery <= 0 {
		opt.FollowEvery = time.Second
	}
	feed, _ := db.(store.ChangeFeed)
	return &Keeper{db: db, opt: opt, wake: make(chan struct{}, 1), feed: feed}
}

// Run builds the desk and then keeps it current until ctx ends: it
// catches up a second after writes, and at least every interval, so that
// doses whose window passes become findings without a request waiting for
// them; after a plan write that failed it reads the plan every minute, in
// case the store finishes applying it by itself.
func (k *Keeper) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	planTick := time.NewTicker(time.Minute)
	defer planTick.Stop()
	// The other servers' writes, from the store's change feed (feed.go).
	var followTick <-chan time.Time
	if k.feed != nil {
		t := time.NewTicker(k.opt.FollowEvery)
		defer t.Stop()
		followTick = t.C
	}
	// A store that is down fails every follow of the feed, each second:
	// the same failure is logged once a minute.
	var lastErr string
	var lastLogged time.Time
	for {
		if err := k.catchUp(ctx); err != nil && ctx.Err() == nil {
			if err.Error() != lastErr || time.Since(lastLogged) >= time.Minute {
				k.opt.Logger.Error("keep the desk", "err", err)
				lastErr, lastLogged = err.Error(), time.Now()
			}
		} else {
			lastErr = ""
		}
		select {
		case <-ctx.Done():
			return
		case <-k.wake:
			// Let a burst of writes gather before looking at them: a
			// patient written to ten times in that second is computed
			// once, so that a sync surge is not slowed by its desk. A
			// request does not wait for this; it catches up first.
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		case <-tick.C:
		case <-followTick:
		case <-planTick.C:
			k.mu.Lock()
			pending := k.planPending
			k.mu.Unlock()
			if pending {
				k.PlanChanged()
			}
		}
	}
}

func (k *Keeper) poke() {
	select {
	case k.wake <- struct{}{}:
	default:
	}
}

// writeStart is the desk a write of new records began with (writing): its
// model and its position in the change feed.
type writeStart struct {
	m   *model
	pos uint64
}

// writing is called before a write of new records: it returns the desk
// built by then, if any, which cannot hold them yet.
func (k *Keeper) writing() writeStart {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.building != nil {
		return writeStart{}
	}
	return writeStart{m: k.m, pos: k.pos}
}

// added reports records new to the store, whose write began when before
// was the desk (writing): if it still is, at the same position in the
// feed, they are added without looking for them; otherwise (a build ran
// meanwhile and may have read them, or the desk followed the feed, which
// may have named them once they were committed) as Stored.
func (k *Keeper) added(recs []store.StoredRecord, before writeStart) {
	if len(recs) == 0 {
		return
	}
	k.mu.Lock()
	fresh := before.m != nil && k.m == before.m && k.pos == before.pos && k.building == nil
	k.storeLocked(recs, !fresh)
	k.mu.Unlock()
	k.poke()
}

// Stored reports records the store holds that may be kept already:
// changed (reconciled, voided) or read back.
func (k *Keeper) Stored(recs []store.StoredRecord) { k.store(recs, true) }

func (k *Keeper) store(recs []store.StoredRecord, known bool) {
	if len(recs) == 0 {
		return
	}
	k.mu.Lock()
	k.storeLocked(recs, known)
	k.mu.Unlock()
	k.poke()
}

func (k *Keeper) storeLocked(recs []store.StoredRecord, known bool) {
	switch {
	case k.building != nil:
		// The build may have read them already.
		k.pending = append(k.pending, func(m *model) {
			for _, r := range recs {
				m.upsert(r, true)
			}
		})
	case k.m != nil:
		for _, r := range recs {
			k.m.upsert(r, known)
		}
	}
}

// Purged reports that records reconciled before before may have been
// purged.
func (k *Keeper) Purged(before time.Time) {
	k.mu.Lock()
	if before.After(k.purgedBefore) {
		k.purgedBefore = before
	}
	k.mu.Unlock()
	k.poke()
}

// PlanWritten reports a plan written to the store, with the store's
// answer.
func (k *Keeper) PlanWritten(err error) {
	k.mu.Lock()
	k.planPending = err != nil
	k.mu.Unlock()
	k.PlanChanged()
}

// PlanChanged reports that the plan may have changed.
func (k *Keeper) PlanChanged() {
	k.mu.Lock()
	k.planStale = true
	k.mu.Unlock()
	k.poke()
}

// Resolved reports a finding's resolution.
func (k *Keeper) Resolved(id string, res store.FindingResolution) {
	k.apply(func(m *model) {
		m.resolutions[id] = res
		m.resolve(id)
	})
}

// Reset forgets everything kept: the store was replaced (a backup was
// loaded into it), and the next use builds again.
func (k *Keeper) Reset() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.building == nil {
		k.m, k.pending = nil, nil
	}
}

func (k *Keeper) apply(f func(*model)) {
	k.mu.Lock()
	switch {
	case k.building != nil:
		k.pending = append(k.pending, f)
	case k.m != nil:
		f(k.m)
	}
	// Not built and not building: the build reads it from the store.
	k.mu.Unlock()
	k.poke()
}

// ready returns the built model with k.mu held, building it first if
// needed; the caller unlocks.
func (k *Keeper) ready(ctx context.Context) (*model, error) {
	for {
		k.mu.Lock()
		if k.m != nil && k.building == nil {
			return k.m, nil
		}
		if k.building != nil {
			ch := k.building
			k.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("desk: %w", ctx.Err())
			}
		}
		ch := make(chan struct{})
		k.building = ch
		k.mu.Unlock()
		m, head, err := k.build(ctx)
		k.mu.Lock()
		k.building = nil
		close(ch)
		if err != nil {
			k.pending = nil
			k.mu.Unlock()
			return nil, err
		}
		for _, f := range k.pending {
			f(m)
		}
		k.m, k.pending, k.pos = m, nil, head
		k.mu.Unlock()
	}
}

// build reads everything the desk keeps from the store, and returns the
// change feed's position read before it began: every write committed
// after that position is in the feed after it, and what the build read
// of the writes before it is applied again harmlessly.
func (k *Keeper) build(ctx context.Context) (*model, uint64, error) {
	start := time.Now()
	var head uint64
	if k.feed != nil {
		h, err := k.feed.ChangeHead(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("desk: %w", err)
		}
		head = h
	}
	m := newModel()
	// Room for every record at once: growing by doubling would leave up
	// to half as much again unused.
	if n, err := k.db.CountRecords(ctx); err == nil {
		m.recs = make([]rec, 0, n+n/32+64)
	}
	err := k.db.ScanRecords(ctx, func(r store.StoredRecord) error {
		m.upsert(r, false)
		return nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("desk: read records: %w", err)
	}
	res, err := k.db.FindingResolutions(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("desk: read resolutions: %w", err)
	}
	m.resolutions = res
	// The model is the build's own yet: the plan is numbered by its
	// interner as it is read.
	plans, err := k.readPlan(ctx, m.s)
	if err != nil {
		return nil, 0, err
	}
	m.setPlan(plans, m.s)
	k.opt.Logger.Info("desk built", "records", len(m.recs), "patients", len(m.patients), "devices", len(m.devices),
		"took", time.Since(start).Round(time.Millisecond))
	return m, head, nil
}

// planPart is one patient's part of the plan, its strings numbered by
// the interner it was read with.
type planPart struct {
	unit   string
	doses  []plannedDose
	visits []plannedVisit
	prn    []care.PRNMedication
}

// readPlan reads the plan by patient as full recomputation does
// (reconcile.Load): the patients of the units, their doses, and the
// visits of the units, in one pass over the store, each item kept as
// numbers of in as soon as it is read, so that the plan is never held
// whole as the store gives it (a week's plan for a large municipality is
// hundreds of thousands of doses and visits).
func (k *Keeper) readPlan(ctx context.Context, in *interner) (map[string]*planPart, error) {
	units, err := k.db.Units(ctx)
	if err != nil {
		return nil, fmt.Errorf("desk: read units: %w", err)
	}
	known := map[string]bool{}
	for _, u := range units {
		known[u.ID] = true
	}
	plans := map[string]*planPart{}
	of := func(id string) *planPart {
		p, ok := plans[id]
		if !ok {
			p = &planPart{}
			plans[id] = p
		}
		return p
	}
	err = k.db.ScanPlan(ctx, store.PlanScan{
		Patient: func(pt care.Patient) error {
			if known[pt.UnitID] {
				p := of(pt.ID)
				p.unit, p.prn = pt.UnitID, pt.PRN
			}
			return nil
		},
		Visit: func(v care.Visit) error {
			if known[v.UnitID] {
				p := of(v.PatientID)
				p.visits = append(p.visits, plannedVisit{start: at(v.Start), id: in.of(v.ID), worker: in.of(v.WorkerID),
					unit: in.of(v.UnitID), minutes: int32(v.DurationMinutes)})
			}
			return nil
		},
		Dose: func(d care.ScheduledDose) error {
			// Doses count for the patients of the units.
			if p, ok := plans[d.PatientID]; ok && p.unit != "" {
				p.doses = append(p.doses, plannedDose{due: at(d.Due), id: in.of(d.ID), visit: in.of(d.VisitID),
					medication: in.of(d.Medication), dose: in.of(d.Dose), window: int32(d.WindowMinutes), double: d.DoubleCheck, controlled: d.Controlled})
			}
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("desk: read plan: %w", err)
	}
	return plans, nil
}

// renumber moves a plan part read with another interner to the model's.
func (m *model) renumber(pl *planPart, from *interner) {
	if from == m.s {
		return
	}
	for i := range pl.doses {
		d := &pl.doses[i]
		d.id, d.visit, d.medication, d.dose = m.s.of(from.str(d.id)), m.s.of(from.str(d.visit)), m.s.of(from.str(d.medication)), m.s.of(from.str(d.dose))
	}
	for i := range pl.visits {
		v := &pl.visits[i]
		v.id, v.worker, v.unit = m.s.of(from.str(v.id)), m.s.of(from.str(v.worker)), m.s.of(from.str(v.unit))
	}
}

// setPlan puts a plan read with from in place and marks the patients
// whose part changed.
func (m *model) setPlan(plans map[string]*planPart, from *interner) {
	for id, pl := range plans {
		n := m.s.of(id)
		p := m.patient(n)
		m.renumber(pl, from)
		doses, visits := slices.Clip(pl.doses), slices.Clip(pl.visits)
		if p.unit != pl.unit || !slices.Equal(p.doses, doses) || !slices.Equal(p.visits, visits) || !samePRN(p.prn, pl.prn) {
			p.unit, p.doses, p.visits, p.prn = pl.unit, doses, visits, pl.prn
			m.dirtyP[n] = true
		}
	}
	for n, p := range m.patients {
		if _, ok := plans[m.s.str(n)]; !ok && (p.unit != "" || p.doses != nil || p.visits != nil || p.prn != nil) {
			p.unit, p.doses, p.visits, p.prn = "", nil, nil, nil
			m.dirtyP[n] = true
		}
	}
}

// samePRN reports whether two PRN lists say the same.
func samePRN(a, b []care.PRNMedication) bool {
	return slices.EqualFunc(a, b, func(x, y care.PRNMedication) bool {
		return x.ID == y.ID && x.SourceID == y.SourceID && x.Medication == y.Medication && x.Dose == y.Dose && x.Route == y.Route &&
			slices.Equal(x.Indications, y.Indications) && x.MinIntervalMinutes == y.MinIntervalMinutes &&
			x.MaxPer24h == y.MaxPer24h && x.EffectAfterMinutes == y.EffectAfterMinutes && x.Controlled == y.Controlled
	})
}

// catchUp brings the desk to now: the other servers' writes read from
// the store's change feed, if it has one, the plan read again if it changed,
// purged records dropped, and the findings of every patient and device a
// write touched or whose time has come computed again. It works in
// slices, letting writes in between, and returns once nothing is left.
func (k *Keeper) catchUp(ctx context.Context) error {
	if err := k.follow(ctx); err != nil {
		return err
	}
	m, err := k.ready(ctx)
	if err != nil {
		return err
	}
	now := k.opt.Now().UTC()
	planStale, purged := k.planStale, k.purgedBefore
	k.planStale, k.purgedBefore = false, time.Time{}
	k.mu.Unlock()
	if planStale {
		// Read without the lock, numbered by an interner of its own,
		// moved to the model's under the lock.
		in := newInterner()
		plans, err := k.readPlan(ctx, in)
		k.mu.Lock()
		if err != nil {
			k.planStale = true
		} else if k.m == m {
			m.setPlan(plans, in)
		}
		k.mu.Unlock()
		if err != nil {
			return err
		}
	}
	if !purged.IsZero() {
		if err := k.dropPurged(ctx, m, purged); err != nil {
			k.mu.Lock()
			if purged.After(k.purgedBefore) {
				k.purgedBefore = purged
			}
			k.mu.Unlock()
			return err
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("desk: %w", err)
		}
		k.mu.Lock()
		if k.m != m { // reset meanwhile
			k.mu.Unlock()
			return nil
		}
		for _, n := range m.planned.due(now) {
			m.dirtyP[n] = true
		}
		done, err := k.evaluate(ctx, m, now, 50)
		if done || err != nil {
			m.merge()
		}
		k.mu.Unlock()
		if done || err != nil {
			return err
		}
	}
}

// dropPurged checks the records reconciled before before against the
// store and forgets those it no longer holds.
func (k *Keeper) dropPurged(ctx context.Context, m *model, before time.Time) error {
	k.mu.Lock()
	var candidates []int32
	var ids []string
	entered, void := m.s.of(store.StateEntered), m.s.of(store.StateVoid)
	b, _ := stampOf(before)
	for i := range m.recs {
		c := &m.recs[i]
		// As the store's purge: reconciled records by their
		// reconciliation, drill records (never reconciled) by when they came.
		due := (c.state == entered || c.state == void) && c.recAt <= b
		if c.has(flagDrill) {
			due = c.received <= b
		}
		if !c.has(flagPurged) && due {
			candidates = append(candidates, int32(i))
			ids = append(ids, m.idString(c.id))
		}
	}
	k.mu.Unlock()
	var gone []int32
	for j, id := range ids {
		_, err := k.db.StoredRecordByID(ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			gone = append(gone, candidates[j])
		case err != nil:
			return fmt.Errorf("desk: check purged record: %w", err)
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m != m {
		return nil
	}
	for _, i := range gone {
		m.remove(i)
	}
	return nil
}

// evaluate computes again the findings of up to limit dirty patients and
// devices, and says whether none is left.
func (k *Keeper) evaluate(ctx context.Context, m *model, now time.Time, limit int) (bool, error) {
	for n := range m.dirtyP {
		if limit == 0 {
			return false, nil
		}
		limit--
		if err := k.evalPatient(ctx, m, n, now); err != nil {
			return false, err
		}
		delete(m.dirtyP, n)
	}
	for n := range m.dirtyD {
		if limit == 0 {
			return false, nil
		}
		limit--
		if err := k.evalDevice(ctx, m, n); err != nil {
			return false, err
		}
		delete(m.dirtyD, n)
	}
	return true, nil
}

// evalPatient computes one patient's findings as full recomputation at
// now would, and when they next change by time alone.
func (k *Keeper) evalPatient(ctx context.Context, m *model, n uint32, now time.Time) error {
	p := m.patient(n)
	fs, next, err := k.patientFindings(ctx, m, n, now)
	if err != nil {
		return err
	}
	received := map[string]time.Time{}
	for _, i := range p.recs {
		received[m.idString(m.recs[i].id)] = m.recs[i].received.time()
	}
	p.findings = m.replace(p.findings, fs, func(f wire.Finding) time.Time { return latest(f.RecordIDs, received) }, n, false)
	p.evaluated = now
	m.planned.set(n, next)
	return nil
}

// patientFindings computes one patient's findings at now, from its
// records, plan and bundles as the desk holds them, as full recomputation
// would (reconcile.Load's plan window is everything due before now), and
// says when they next change by time alone.
func (k *Keeper) patientFindings(ctx context.Context, m *model, n uint32, now time.Time) ([]wire.Finding, time.Time, error) {
	p := m.patient(n)
	id := m.s.str(n)
	in := reconcile.Input{Until: now, Now: now, OfflineFor: k.opt.OfflineFor, Records: m.records(p.recs),
		Bundles: map[string]store.IssuedBundle{}, UnitOf: map[string]string{}}
	if p.unit != "" {
		in.UnitOf[id] = p.unit
	}
	if len(p.prn) > 0 {
		in.PRN = map[string][]care.PRNMedication{id: p.prn}
	}
	var next time.Time
	later := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, pd := range p.doses {
		d := m.dose(id, pd)
		if d.Due.Before(now) {
			in.Doses = append(in.Doses, d)
		}
		// A dose counts once it is due (then its window and double check
		// apply), and is missing once its window has passed.
		later(d.Due.Add(time.Nanosecond))
		later(d.Due.Add(d.Window()))
	}
	for _, pv := range p.visits {
		v := m.visit(id, pv)
		if v.Start.Before(now) {
			in.Visits = append(in.Visits, v)
		}
		later(v.Start.Add(time.Nanosecond))
		later(v.End())
	}
	// A PRN dose's effect is missing once its evaluation time and grace
	// have passed.
	for _, t := range reconcile.PRNDeadlines(in.Records, in.PRN) {
		later(t)
	}
	for _, r := range in.Records {
		if r.BundleID == "" {
			continue
		}
		if _, ok := in.Bundles[r.BundleID]; ok {
			continue
		}
		b, err := k.bundle(ctx, m, r.BundleID)
		if err != nil {
			return nil, next, err
		}
		if b.ID != "" {
			in.Bundles[r.BundleID] = b
		}
	}
	return reconcile.PatientFindings(in), next, nil
}

// show makes the findings of entries whole for a page: a device's are
// kept whole; a patient's are computed again, by the same rules from the
// same data at the time they were computed for, once per patient.
func (k *Keeper) show(ctx context.Context, m *model, entries []*entry) ([]wire.Finding, error) {
	byPatient := map[uint32]map[string]wire.Finding{}
	out := make([]wire.Finding, 0, len(entries))
	for _, e := range entries {
		if e.f != nil {
			out = append(out, *e.f)
			continue
		}
		fs, ok := byPatient[e.patient]
		if !ok {
			list, _, err := k.patientFindings(ctx, m, e.patient, m.patient(e.patient).evaluated)
			if err != nil {
				return nil, err
			}
			fs = make(map[string]wire.Finding, len(list))
			for _, f := range list {
				fs[f.ID] = f
			}
			byPatient[e.patient] = fs
		}
		f, ok := fs[e.id]
		if !ok {
			// Cannot happen while the patient's data is what it was
			// computed from, which the lock ensures.
			return nil, fmt.Errorf("desk: finding %s of patient %s not made again", e.id, m.s.str(e.patient))
		}
		out = append(out, f)
	}
	return out, nil
}

// bundle returns a bundle by id, the zero bundle when none has it.
func (k *Keeper) bundle(ctx context.Context, m *model, id string) (store.IssuedBundle, error) {
	n := m.s.of(id)
	if b, ok := m.bundles[n]; ok {
		return b, nil
	}
	b, err := k.db.IssuedBundle(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.IssuedBundle{}, nil
	case err != nil:
		return b, fmt.Errorf("desk: read bundle: %w", err)
	}
	// Only its window and its user count for findings; its lists of
	// patients are large and not kept.
	b = store.IssuedBundle{ID: b.ID, UserID: b.UserID, IssuedAt: b.IssuedAt, ExpiresAt: b.ExpiresAt}
	m.bundles[n] = b
	return b, nil
}

// evalDevice computes one device's sequence findings from its records
// and every number the store holds for it.
func (k *Keeper) evalDevice(ctx context.Context, m *model, n uint32) error {
	d := m.device(n)
	id := m.s.str(n)
	in := reconcile.Input{Records: m.records(d.recs), DeviceSeqs: map[string][]uint64{}, SharedSeqs: map[string]map[uint64][]string{}}
	if len(d.recs) > 0 {
		seqs, shared, err := k.db.DeviceSeqIndex(ctx, id)
		if err != nil {
			return fmt.Errorf("desk: read sequence numbers: %w", err)
		}
		in.DeviceSeqs[id] = seqs
		if len(shared) > 0 {
			in.SharedSeqs[id] = shared
		}
	}
	received := receivedOf(in.Records)
	var newest time.Time
	for _, t := range received {
		if t.After(newest) {
			newest = t
		}
	}
	d.findings = m.replace(d.findings, reconcile.DeviceFindings(in), func(f wire.Finding) time.Time {
		if f.Kind == wire.FindingSequenceGap {
			return newest
		}
		return latest(f.RecordIDs, received)
	}, 0, true)
	return nil
}

func receivedOf(recs []store.StoredRecord) map[string]time.Time {
	out := make(map[string]time.Time, len(recs))
	for _, r := range recs {
		out[r.ID] = r.Received
	}
	return out
}

func latest(ids []string, received map[string]time.Time) time.Time {
	var t time.Time
	for _, id := range ids {
		if r := received[id]; r.After(t) {
			t = r
		}
	}
	return t
}
