// Package care holds the domain of home care during an outage: who works,
// whom they visit, what the patient's person card says, which doses are due
// and which routines apply. It has no dependencies beyond the standard
// library so that both the phone (wasm) and the server can import it.
package care

import (
	"time"

	"github.com/google/uuid"
)

// sourceNamespace seeds the ids derived from source systems' ids: the same
// source id always gives the same Beredskap id, whoever writes it (a plan
// import, the demo data).
var sourceNamespace = uuid.MustParse("5d0e6c1a-3f54-4b8e-9a2d-7b1c0f9e4a31")

// IDFor returns the Beredskap id of a source system's item of a kind
// ("patient", "visit", "dose", "routine"). Every writer of such items uses
// it, so that one source id names one item: an import that reuses another
// unit's source id finds that unit's item, and is refused.
func IDFor(kind, sourceID string) string {
	return uuid.NewSHA1(sourceNamespace, []byte(kind+"/"+sourceID)).String()
}

// Role is what a user may do in Beredskap.
type Role string

// The four roles of DESIGN §1.
const (
	RoleWorker      Role = "worker"
	RoleNurse       Role = "nurse"
	RoleCoordinator Role = "coordinator"
	RoleAdmin       Role = "admin"
)

// Roles are the four roles, in the order DESIGN §1 names them.
func Roles() []Role { return []Role{RoleWorker, RoleNurse, RoleCoordinator, RoleAdmin} }

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleWorker, RoleNurse, RoleCoordinator, RoleAdmin:
		return true
	}
	return false
}

// WorksShifts reports whether users with this role carry a shift bundle on a
// phone and record care offline.
func (r Role) WorksShifts() bool { return r == RoleWorker || r == RoleNurse }

// Reconciles reports whether users with this role see and reconcile records.
func (r Role) Reconciles() bool { return r == RoleCoordinator || r == RoleAdmin }

// User is a person who logs in. The password hash lives in the store, never
// here, so that a User can travel to the phone.
type User struct {
	ID       string   `json:"id"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Role     Role     `json:"role"`
	Units    []string `json:"units"`
	Lang     string   `json:"lang,omitempty"`
	Disabled bool     `json:"disabled,omitempty"`
}

// Unit is a home-care district or team.
type Unit struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Contact is a person to call: a relative, the responsible nurse, the GP, or
// a number in an emergency routine.
type Contact struct {
	Name     string `json:"name"`
	Relation string `json:"relation,omitempty"`
	Phone    string `json:"phone,omitempty"`
}

// Equipment is an aid in the patient's home that matters during an outage.
type Equipment struct {
	Name           string `json:"name"`
	PowerDependent bool   `json:"power_dependent,omitempty"`
	LifeCritical   bool   `json:"life_critical,omitempty"`
	Note           string `json:"note,omitempty"`
}

// Priority orders patients for the priority list: who must be seen first
// when there are not enough hands.
type Priority int

// Priorities, most urgent first.
const (
	PriorityVital  Priority = 1 // life-critical needs: must be visited
	PriorityHigh   Priority = 2 // needs the visit today, may be moved
	PriorityNormal Priority = 3 // can be postponed or handled by phone
)

// Valid reports whether p is one of the known priorities.
func (p Priority) Valid() bool { return p >= PriorityVital && p <= PriorityNormal }

// Patient is the person card: what a worker needs at the door.
type Patient struct {
	ID                  string      `json:"id"`
	UnitID              string      `json:"unit_id"`
	Name                string      `json:"name"`
	BirthDate           string      `json:"birth_date,omitempty"`
	Address             string      `json:"address"`
	AccessInfo          string      `json:"access_info"`
	Relatives           []Contact   `json:"relatives"`
	ResponsibleNurse    Contact     `json:"responsible_nurse"`
	GP                  Contact     `json:"gp"`
	Allergies           []string    `json:"allergies"`
	Warnings            []string    `json:"warnings"`
	Equipment           []Equipment `json:"equipment"`
	Priority            Priority    `json:"priority"`
	LivesAlone          bool        `json:"lives_alone,omitempty"`
	SafetyAlarm         bool        `json:"safety_alarm,omitempty"`
	MedicationDispenser bool        `json:"medication_dispenser,omitempty"`
	SourceID            string      `json:"source_id,omitempty"`
	// PRN lists the patient's as-needed medications (prn.go).
	PRN []PRNMedication `json:"prn,omitempty"`
}

// PowerDependent reports whether any of the patient's equipment needs mains
// power.
func (p Patient) PowerDependent() bool {
	for _, e := range p.Equipment {
		if e.PowerDependent {
			return true
		}
	}
	return false
}

// What makes a patient especially vulnerable in an outage, in the order
// the priority lists show them.
const (
	FlagPower     = "power"     // equipment that needs mains power
	FlagAlarm     = "alarm"     // a safety alarm that may fall silent
	FlagDispenser = "dispenser" // a medication dispenser that may stop
	FlagAlone     = "alone"     // lives alone
)

// FlagNames lists every flag, in the order the priority lists show them.
func FlagNames() []string { return []string{FlagPower, FlagAlarm, FlagDispenser, FlagAlone} }

// Flags names what makes the patient especially vulnerable in an outage
// (of FlagNames), for the priority lists on the phone, the office pages
// and the printed binder.
func (p Patient) Flags() []string {
	on := map[string]bool{FlagPower: p.PowerDependent(), FlagAlarm: p.SafetyAlarm,
		FlagDispenser: p.MedicationDispenser, FlagAlone: p.LivesAlone}
	var fs []string
	for _, f := range FlagNames() {
		if on[f] {
			fs = append(fs, f)
		}
	}
	return fs
}

// Visit is one planned visit in a worker's shift.
type Visit struct {
	ID              string    `json:"id"`
	PatientID       string    `json:"patient_id"`
	WorkerID        string    `json:"worker_id"`
	UnitID          string    `json:"unit_id"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
	Tasks           []string  `json:"tasks"`
	SourceID        string    `json:"source_id,omitempty"`
}

// End is when the visit is planned to be over.
func (v Visit) End() time.Time { return v.Start.Add(time.Duration(v.DurationMinutes) * time.Minute) }

// ScheduledDose is one planned medication administration.
type ScheduledDose struct {
	ID          string    `json:"id"`
	PatientID   string    `json:"patient_id"`
	VisitID     string    `json:"visit_id,omitempty"`
	Medication  string    `json:"medication"`
	Dose        string    `json:"dose"`
	Route       string    `json:"route"`
	Due         time.Time `json:"due"`
	DoubleCheck bool      `json:"double_check,omitempty"`
	// Controlled marks a controlled drug (narcotics, "A- og B-preparat"),
	// whose every dose needs a second signature as a double check does.
	Controlled bool `json:"controlled,omitempty"`
	// WindowMinutes is how far either side of Due the dose may be given;
	// zero means DefaultDoseWindow.
	WindowMinutes int    `json:"window_minutes,omitempty"`
	SourceID      string `json:"source_id,omitempty"`
}

// DefaultDoseWindow is how far from its due time a dose counts as on time
// when the schedule does not say.
const DefaultDoseWindow = 60 * time.Minute

// Window returns the half-width of the dose's time window.
func (d ScheduledDose) Window() time.Duration {
	if d.WindowMinutes > 0 {
		return time.Duration(d.WindowMinutes) * time.Minute
	}
	return DefaultDoseWindow
}

// Scenario names the kind of outage an emergency routine is for.
type Scenario string

// The scenarios of the seeds' action cards.
const (
	ScenarioEHRDown     Scenario = "ehr_down"
	ScenarioPlannerDown Scenario = "planner_down"
	ScenarioAlarmDown   Scenario = "alarm_down"
	ScenarioPowerLoss   Scenario = "power_loss"
	ScenarioTelecomLoss Scenario = "telecom_loss"
	ScenarioCyber       Scenario = "cyber_incident"
	ScenarioOther       Scenario = "other"
)

// Scenarios lists every scenario in display order.
func Scenarios() []Scenario {
	return []Scenario{ScenarioEHRDown, ScenarioPlannerDown, ScenarioAlarmDown,
		ScenarioPowerLoss, ScenarioTelecomLoss, ScenarioCyber, ScenarioOther}
}

// Valid reports whether s is a known scenario.
func (s Scenario) Valid() bool {
	for _, k := range Scenarios() {
		if s == k {
			return true
		}
	}
	return false
}

// Routine is an emergency routine (action card): what to do when a system
// fails. Readable on the phone without the PIN.
type Routine struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Scenario Scenario  `json:"scenario"`
	Steps    []string  `json:"steps"`
	Contacts []Contact `json:"contacts"`
	Units    []string  `json:"units,omitempty"`
	Revised  string    `json:"revised"`
	Version  int       `json:"version,omitempty"`
}

// AppliesTo reports whether the routine applies to any of the units; a
// routine without units applies everywhere.
func (r Routine) AppliesTo(units []string) bool {
	if len(r.Units) == 0 {
		return true
	}
	for _, u := range r.Units {
		for _, w := range units {
			if u == w {
				return true
			}
		}
	}
	return false
}

// Announcement is a status message from a coordinator to units.
type Announcement struct {
	ID    string   `json:"id"`
	Units []string `json:"units,omitempty"`
	// Users, when set, narrows the announcement to these users of Units
	// (the readiness reminder to the workers who must refresh).
	Users    []string  `json:"users,omitempty"`
	Level    string    `json:"level"` // "info" or "important"
	Text     string    `json:"text"`
	AuthorID string    `json:"author_id,omitempty"`
	Author   string    `json:"author,omitempty"`
	Posted   time.Time `json:"posted"`
}
