package kept

import (
	"bytes"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"beredskap/internal/care"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// instant is a time.Time without its location and monotonic reading:
// twelve bytes instead of twenty-four, exact for every time a record can
// hold.
type instant struct {
	sec  int64
	nsec int32
}

func at(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (i instant) time() time.Time { return time.Unix(i.sec, int64(i.nsec)).UTC() }

func (i instant) before(j instant) bool {
	return i.sec < j.sec || (i.sec == j.sec && i.nsec < j.nsec)
}

// interner numbers the strings records repeat (units, patients, authors,
// devices, visits, doses, types, states, ...), so that a record holds
// small numbers instead of strings. Number 0 is the empty string. Ids in
// the canonical UUID form, most of them (a week's visits and doses are
// hundreds of thousands), are kept as their sixteen bytes, numbered with
// the high bit set.
type interner struct {
	list []string
	num  map[string]uint32
	// uuids holds the UUIDs by number; slots finds a UUID's number: an
	// open-addressing table (linear probing) whose slots hold a number
	// plus one, zero for an empty slot, at most three quarters full. A
	// map from sixteen bytes to a number took 43 MB for a million UUIDs,
	// the table takes 8 to 16.
	uuids [][16]byte
	slots []uint32
	seed  maphash.Seed
}

const uuidBit = 1 << 31

func newInterner() *interner {
	return &interner{list: []string{""}, num: map[string]uint32{"": 0}, seed: maphash.MakeSeed()}
}

// canonical returns the bytes of a UUID written in its canonical form:
// what uuid.Parse takes in 36 characters, in lower case.
func canonical(s string) ([16]byte, bool) {
	if len(s) != 36 || strings.ContainsAny(s, "ABCDEF") {
		return [16]byte{}, false
	}
	u, err := uuid.Parse(s)
	return u, err == nil
}

// findUUID returns the slot that holds b, or the empty slot where it
// belongs, and its number if it is there. The hash is seeded per
// interner, so ids a phone chose cannot be made to collide.
func (in *interner) findUUID(b [16]byte) (slot int, n uint32, ok bool) {
	if len(in.slots) == 0 {
		return -1, 0, false
	}
	mask := len(in.slots) - 1
	for i := int(maphash.Bytes(in.seed, b[:])) & mask; ; i = (i + 1) & mask {
		v := in.slots[i]
		if v == 0 {
			return i, 0, false
		}
		if in.uuids[v-1] == b {
			return i, (v - 1) | uuidBit, true
		}
	}
}

// addUUID numbers b, which the table does not hold.
func (in *interner) addUUID(b [16]byte) uint32 {
	if 4*(len(in.uuids)+1) > 3*len(in.slots) {
		// Twice the slots, every number placed again.
		in.slots = make([]uint32, max(64, 2*len(in.slots)))
		for i, u := range in.uuids {
			slot, _, _ := in.findUUID(u)
			in.slots[slot] = uint32(i) + 1
		}
	}
	slot, _, _ := in.findUUID(b)
	in.uuids = append(in.uuids, b)
	in.slots[slot] = uint32(len(in.uuids))
	return uint32(len(in.uuids)-1) | uuidBit
}

func (in *interner) of(s string) uint32 {
	if b, ok := canonical(s); ok {
		if _, n, ok := in.findUUID(b); ok {
			return n
		}
		return in.addUUID(b)
	}
	if n, ok := in.num[s]; ok {
		return n
	}
	// A copy, so that the number does not keep a large decoded buffer
	// alive.
	s = strings.Clone(s)
	n := uint32(len(in.list))
	in.list = append(in.list, s)
	in.num[s] = n
	return n
}

// lookup returns the number of s, or false when no record holds it.
func (in *interner) lookup(s string) (uint32, bool) {
	if b, ok := canonical(s); ok {
		_, n, ok := in.findUUID(b)
		return n, ok
	}
	n, ok := in.num[s]
	return n, ok
}

func (in *interner) str(n uint32) string {
	if n&uuidBit != 0 {
		return uuid.UUID(in.uuids[n&^uuidBit]).String()
	}
	return in.list[n]
}

// Flags of a kept record.
const (
	flagEmergency = 1 << iota
	flagUncosigned
	flagQuarantined
	flagAdministered
	flagPurged
	// flagFar: the record's device times lie outside 1700–2200, and are
	// kept exactly in model.far.
	flagFar
	// flagDrill: a drill record, counted by the records list's drill
	// filter but never part of a patient's or device's findings (its
	// drill in model.drillOf).
	flagDrill
)

// stamp is a time as nanoseconds since 1970: eight bytes. The zero time
// (a record not reconciled) is the lowest stamp. Times a stamp cannot
// hold are clamped; a phone's clock can be that wrong, so its record's
// device times are also kept whole beside it (flagFar).
type stamp int64

const zeroStamp stamp = math.MinInt64

// stampOf returns t's stamp, and false when t had to be clamped.
func stampOf(t time.Time) (stamp, bool) {
	switch y := t.Year(); {
	case t.IsZero():
		return zeroStamp, true
	case y < 1700:
		return zeroStamp + 1, false
	case y > 2200:
		return math.MaxInt64, false
	}
	return stamp(t.UnixNano()), true
}

func (s stamp) time() time.Time {
	if s == zeroStamp {
		return time.Time{}
	}
	return time.Unix(0, int64(s)).UTC()
}

// recID is a record id as the desk keeps it: the sixteen bytes of a
// canonical UUID (what phones make), or, for any other id, its number
// among those others with other set. It holds no pointer, so that a
// million records cost the garbage collector nothing to scan.
type recID struct {
	uuid  [16]byte
	other uint32
}

func (m *model) recID(id string) recID {
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		return recID{uuid: u}
	}
	return recID{other: m.otherIDs.of(id)}
}

func (m *model) idString(id recID) string {
	if id.other != 0 {
		return m.otherIDs.str(id.other)
	}
	return uuid.UUID(id.uuid).String()
}

// compareIDs orders ids as their strings: canonical UUIDs are lower-case
// hex, whose order is their bytes'.
func (m *model) compareIDs(a, b recID) int {
	if a.other == 0 && b.other == 0 {
		return bytes.Compare(a.uuid[:], b.uuid[:])
	}
	return strings.Compare(m.idString(a), m.idString(b))
}

// rec is what the desk keeps of a stored record: every field findings and
// counts read, and nothing else (no body, signature or reconciliation
// text), 128 bytes and no pointer, so that a million records fit in
// the memory the server may use and cost the garbage collector nothing.
type rec struct {
	received, created, administered, recAt stamp
	seq                                    uint64
	typ, status, state, held               uint32
	device, author, patient, unit          uint32
	visit, schedule, medication, bundle    uint32
	// prn and admin: a PRN dose's medication in the plan, and the dose a
	// prn_effect record evaluates.
	prn, admin uint32
	// code and role: the co-signing code of an administration or a
	// cosign record, and a cosign author's role.
	code, role uint32
	// id after the numbers: its 20 bytes first would pad the record to
	// 136 bytes, here it makes 128 (a million records: 8 MB).
	id    recID
	flags uint8
}

func (r *rec) has(flag uint8) bool { return r.flags&flag != 0 }

// model is everything the desk keeps, rebuilt from the store at start and
// changed by the store's writes.
type model struct {
	s    *interner
	recs []rec
	// far holds the exact times of the records whose times a stamp
	// cannot hold (flagFar): a phone's clock gone far wrong.
	far map[recID]farTimes
	// drillOf holds the drill of each drill record (flagDrill) by its
	// place in recs, and drillAt the place of each by id: drill records
	// are few, and stay out of the patients' and devices' lists.
	drillOf map[int32]string
	drillAt map[string]int32
	// otherIDs holds the ids that are not canonical UUIDs, numbered.
	otherIDs *interner
	patients map[uint32]*patient
	devices  map[uint32]*device
	// bundles caches the windows of the bundles records came with, by
	// interned id; they never change.
	bundles map[uint32]store.IssuedBundle
	// entries holds every kept finding by id.
	entries map[string]*entry
	// sorted holds the entries in the list's order (time, then id), with
	// those that were replaced since marked dead; fresh holds the entries
	// made since sorted was last merged.
	sorted, fresh []*entry
	// slots holds, beside sorted, what a query filters on, without
	// pointers: a query walks it instead of the entries.
	slots []slot
	// died says entries were replaced since the last merge.
	died        bool
	resolutions map[string]store.FindingResolution
	dirtyP      map[uint32]bool
	dirtyD      map[uint32]bool
	// planned is when each patient's findings next change with time
	// alone (a dose's window passing, a visit ending).
	planned deadlines
	// stateNew and stateQuarantined are the numbers of those states.
	stateNew, stateQuarantined uint32
}

// patient is one patient's part of the desk: its records, its plan and
// the findings they make.
type patient struct {
	// evaluated is the time its findings were last computed for.
	evaluated time.Time
	recs      []int32
	unit      string
	doses     []plannedDose
	visits    []plannedVisit
	// prn is the patient's as-needed medications, as the plan has them:
	// a few per patient at most, kept whole.
	prn      []care.PRNMedication
	findings []*entry
}

// farTimes are a record's times kept whole.
type farTimes struct{ received, created, administered, reconciled time.Time }

// plannedDose is a scheduled dose as the desk keeps it: what findings
// read, strings as interned numbers.
type plannedDose struct {
	due                         instant
	id, visit, medication, dose uint32
	window                      int32
	double, controlled          bool
}

// plannedVisit is a planned visit as the desk keeps it.
type plannedVisit struct {
	start            instant
	id, worker, unit uint32
	minutes          int32
}

func (m *model) dose(patient string, d plannedDose) care.ScheduledDose {
	return care.ScheduledDose{ID: m.s.str(d.id), PatientID: patient, VisitID: m.s.str(d.visit), Medication: m.s.str(d.medication),
		Dose: m.s.str(d.dose), Due: d.due.time(), DoubleCheck: d.double, Controlled: d.controlled, WindowMinutes: int(d.window)}
}

func (m *model) visit(patient string, v plannedVisit) care.Visit {
	return care.Visit{ID: m.s.str(v.id), PatientID: patient, WorkerID: m.s.str(v.worker), UnitID: m.s.str(v.unit),
		Start: v.start.time(), DurationMinutes: int(v.minutes)}
}

// device is one phone's part: its records and what its sequence numbers
// say.
type device struct {
	recs     []int32
	findings []*entry
}

// entry is a kept finding: its id and what queries filter it on. A
// patient's findings are kept that small (their text and record ids are
// made again, by the same rules from the same data, when a page shows
// them: see Keeper.show), so that findings by the hundred thousand fit in
// memory; a device's are few and kept whole.
type entry struct {
	id      string
	s       slot
	patient uint32
	f       *wire.Finding // a device's finding; nil for a patient's
	dead    bool
}

func newModel() *model {
	m := &model{s: newInterner(), far: map[recID]farTimes{}, drillOf: map[int32]string{}, drillAt: map[string]int32{}, otherIDs: newInterner(), patients: map[uint32]*patient{}, devices: map[uint32]*device{},
		bundles: map[uint32]store.IssuedBundle{}, entries: map[string]*entry{},
		resolutions: map[string]store.FindingResolution{}, dirtyP: map[uint32]bool{}, dirtyD: map[uint32]bool{}}
	m.stateNew, m.stateQuarantined = m.s.of(store.StateNew), m.s.of(store.StateQuarantined)
	return m
}

func (m *model) patient(n uint32) *patient {
	p, ok := m.patients[n]
	if !ok {
		p = &patient{}
		m.patients[n] = p
	}
	return p
}

func (m *model) device(n uint32) *device {
	d, ok := m.devices[n]
	if !ok {
		d = &device{}
		m.devices[n] = d
	}
	return d
}

// compact makes the kept form of a stored record.
func (m *model) compact(r store.StoredRecord) rec {
	received, ok1 := stampOf(r.Received)
	created, ok2 := stampOf(r.CreatedAt)
	recAt, ok3 := stampOf(r.ReconciledAt)
	c := rec{id: m.recID(r.ID), received: received, created: created, recAt: recAt, seq: r.Seq,
		typ: m.s.of(string(r.Type)), status: m.s.of(r.Status), state: m.s.of(r.State), held: m.s.of(r.HeldFor),
		device: m.s.of(r.DeviceID), author: m.s.of(r.AuthorID), patient: m.s.of(r.PatientID), unit: m.s.of(r.UnitID),
		visit: m.s.of(r.VisitID), schedule: m.s.of(r.ScheduleID), medication: m.s.of(r.Medication), bundle: m.s.of(r.BundleID),
		prn: m.s.of(r.PRNID), admin: m.s.of(r.AdministrationID), code: m.s.of(r.CosignCode), role: m.s.of(r.AuthorRole)}
	ok4 := true
	if r.AdministeredAt != nil {
		c.administered, ok4 = stampOf(*r.AdministeredAt)
		c.flags |= flagAdministered
	}
	if !ok1 || !ok2 || !ok3 || !ok4 {
		c.flags |= flagFar
	}
	for _, f := range []struct {
		on   bool
		flag uint8
	}{{r.Emergency, flagEmergency}, {r.Uncosigned, flagUncosigned}, {r.Quarantined, flagQuarantined}, {r.DrillID != "", flagDrill}} {
		if f.on {
			c.flags |= f.flag
		}
	}
	return c
}

// stored is a kept record as findings are computed from it.
func (m *model) stored(c *rec) store.StoredRecord {
	r := store.StoredRecord{ID: m.idString(c.id), Type: care.RecordType(m.s.str(c.typ)), DeviceID: m.s.str(c.device), AuthorID: m.s.str(c.author),
		PatientID: m.s.str(c.patient), UnitID: m.s.str(c.unit), VisitID: m.s.str(c.visit), ScheduleID: m.s.str(c.schedule),
		Medication: m.s.str(c.medication), PRNID: m.s.str(c.prn), AdministrationID: m.s.str(c.admin), CosignCode: m.s.str(c.code), AuthorRole: m.s.str(c.role), Status: m.s.str(c.status), Seq: c.seq, CreatedAt: c.created.time(),
		Received: c.received.time(), BundleID: m.s.str(c.bundle), Emergency: c.has(flagEmergency),
		Uncosigned: c.has(flagUncosigned), Quarantined: c.has(flagQuarantined), HeldFor: m.s.str(c.held),
		State: m.s.str(c.state), ReconciledAt: c.recAt.time()}
	if c.has(flagAdministered) {
		t := c.administered.time()
		r.AdministeredAt = &t
	}
	if c.has(flagFar) {
		f := m.far[c.id]
		r.Received, r.CreatedAt, r.ReconciledAt = f.received, f.created, f.reconciled
		if r.AdministeredAt != nil {
			r.AdministeredAt = &f.administered
		}
	}
	return r
}

// upsert keeps a record the store now holds, and marks its patient and
// device to be looked at again. A record that may be kept already
// (reconciled, voided, reported twice while the desk was built, read back
// after an unclear answer) is looked for among its patient's, which are
// few (a record keeps its patient and device: only its state changes); a
// record new to the store (known false) is added without looking, which
// keeps the first build and a sync surge linear.
func (m *model) upsert(r store.StoredRecord, known bool) {
	c := m.compact(r)
	if c.has(flagFar) {
		f := farTimes{received: r.Received, created: r.CreatedAt, reconciled: r.ReconciledAt}
		if r.AdministeredAt != nil {
			f.administered = *r.AdministeredAt
		}
		m.far[c.id] = f
	}
	if c.has(flagDrill) {
		// Kept to be counted, never to raise a finding: a drill is not
		// real documentation.
		// Its sequence number is among the device's all the same (the
		// store's), which may close or open a gap: the device's findings
		// are computed again.
		m.dirtyD[c.device] = true
		if i, ok := m.drillAt[r.ID]; ok {
			m.recs[i] = c
			return
		}
		i := int32(len(m.recs))
		m.recs = append(m.recs, c)
		m.drillAt[r.ID], m.drillOf[i] = i, r.DrillID
		return
	}
	if known {
		if p := m.patients[c.patient]; p != nil {
			for _, i := range p.recs {
				if m.recs[i].id == c.id {
					m.recs[i] = c
					m.dirtyP[c.patient], m.dirtyD[c.device] = true, true
					return
				}
			}
		}
	}
	i := int32(len(m.recs))
	m.recs = append(m.recs, c)
	p := m.patient(c.patient)
	p.recs = append(p.recs, i)
	d := m.device(c.device)
	d.recs = append(d.recs, i)
	m.dirtyP[c.patient], m.dirtyD[c.device] = true, true
}

// drillOfRec is the drill of the record at i, "" for a real one: the
// flag answers for nearly every record, without a look in the map.
func (m *model) drillOfRec(c *rec, i int32) string {
	if !c.has(flagDrill) {
		return ""
	}
	return m.drillOf[i]
}

// remove forgets a purged record.
func (m *model) remove(i int32) {
	c := &m.recs[i]
	if c.has(flagPurged) {
		return
	}
	c.flags |= flagPurged
	drop := func(list []int32) []int32 { return slices.DeleteFunc(list, func(j int32) bool { return j == i }) }
	if p := m.patients[c.patient]; p != nil {
		p.recs = drop(p.recs)
	}
	if d := m.devices[c.device]; d != nil {
		d.recs = drop(d.recs)
	}
	m.dirtyP[c.patient], m.dirtyD[c.device] = true, true
}

// records returns the records of a group in the store's list order
// (newest received first, then by id, highest first), the order full
// recomputation reads them in: where findings depend on order (which of
// two doses given at the same minute names the finding), it is the same.
func (m *model) records(idx []int32) []store.StoredRecord {
	order := slices.Clone(idx)
	slices.SortFunc(order, func(a, b int32) int {
		ra, rb := &m.recs[a], &m.recs[b]
		switch {
		case rb.received < ra.received:
			return -1
		case ra.received < rb.received:
			return 1
		}
		return m.compareIDs(rb.id, ra.id)
	})
	out := make([]store.StoredRecord, len(order))
	for k, i := range order {
		out[k] = m.stored(&m.recs[i])
	}
	return out
}

// replace puts a group's new findings in place of its old ones: a
// patient's (whole false, patient its number) or a device's (whole true).
// last gives the latest time one of a finding's records (for a sequence
// gap, its device's) was received, which says which windows show it
// (reconcile.Covers).
func (m *model) replace(old []*entry, fs []wire.Finding, last func(wire.Finding) time.Time, patient uint32, whole bool) []*entry {
	for _, e := range old {
		e.dead, m.died = true, true
		if m.entries[e.id] == e {
			delete(m.entries, e.id)
		}
	}
	out := make([]*entry, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		e := &entry{id: f.ID, patient: patient, s: m.slotOf(f, last(*f))}
		if whole {
			e.f = f
		}
		m.entries[f.ID] = e
		m.fresh = append(m.fresh, e)
		out = append(out, e)
	}
	return out
}

// slot is what a query filters a finding on.
type slot struct {
	at, last      instant
	unit, patient uint32
	kind          uint8
	plan          bool // about the plan: shown by its time, not its records
	resolved      bool
}

// kindNumbers numbers the finding kinds for slots.
var kindNumbers = func() map[string]uint8 {
	out := map[string]uint8{}
	for i, k := range wire.FindingKinds() {
		out[k] = uint8(i + 1)
	}
	return out
}()

func (m *model) slotOf(f *wire.Finding, last time.Time) slot {
	return slot{at: at(f.At), last: at(last), unit: m.s.of(f.UnitID), patient: m.s.of(f.PatientID),
		kind: kindNumbers[f.Kind], plan: f.Kind == wire.FindingMissingAdministration || f.Kind == wire.FindingUndocumentedVisit}
}

// resolve marks a kept finding resolved in its slot.
func (m *model) resolve(id string) {
	e, ok := m.entries[id]
	if !ok {
		return
	}
	i := sort.Search(len(m.sorted), func(i int) bool { return compareEntries(m.sorted[i], e) >= 0 })
	if i < len(m.sorted) && m.sorted[i] == e {
		m.slots[i].resolved = true
	}
}

// merge brings the fresh entries into the sorted list and drops the dead
// ones: a sort of what changed and one pass over the rest.
func (m *model) merge() {
	if len(m.fresh) == 0 && !m.died {
		return
	}
	m.died = false
	fresh := slices.DeleteFunc(m.fresh, func(e *entry) bool { return e.dead })
	slices.SortFunc(fresh, compareEntries)
	out := make([]*entry, 0, len(m.sorted)+len(fresh))
	slots := make([]slot, 0, cap(out))
	i, j := 0, 0
	for i < len(m.sorted) || j < len(fresh) {
		switch {
		case i < len(m.sorted) && m.sorted[i].dead:
			i++
		case j == len(fresh) || (i < len(m.sorted) && compareEntries(m.sorted[i], fresh[j]) < 0):
			out, slots = append(out, m.sorted[i]), append(slots, m.slots[i])
			i++
		default:
			s := fresh[j].s
			_, s.resolved = m.resolutions[fresh[j].id]
			out, slots = append(out, fresh[j]), append(slots, s)
			j++
		}
	}
	m.sorted, m.slots, m.fresh = out, slots, nil
}

func compareEntries(a, b *entry) int {
	switch {
	case a.s.at.before(b.s.at):
		return -1
	case b.s.at.before(a.s.at):
		return 1
	}
	return strings.Compare(a.id, b.id)
}
