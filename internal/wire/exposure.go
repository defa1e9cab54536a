package wire

import "time"

// The lost-phone exposure report (issue 19, item 3): GET
// /api/v1/devices/{id}/exposure, and its checklist's ticks, POST
// /api/v1/devices/{id}/exposure/checklist/{item}.

// The kinds of the exposure checklist's items. An item's id is its kind,
// and for a patient's item ":" and the patient's id.
const (
	// ExposureAccess: change the key-box code or door access of a
	// patient whose card held access information.
	ExposureAccess = "access"
	// ExposureInform: tell a patient (or their relatives) that their
	// person card was on a lost phone.
	ExposureInform = "inform"
	// ExposureBreach: assess the loss as a personal data breach with the
	// data protection officer (GDPR Art. 33: 72 hours).
	ExposureBreach = "breach"
)

// ExposureReport is what a revoked or lost phone may still hold: every
// bundle issued to the device since it was registered (a phone registers
// a new device at each login, after any wipe), expired ones included,
// the patients whose cards were in them, and the checklist of what the
// desk does about it.
type ExposureReport struct {
	Device     DeviceView       `json:"device"`
	WorkerName string           `json:"worker_name"`
	Bundles    []ExposureBundle `json:"bundles"`
	Patients   []ExposedPatient `json:"patients"`
	Checklist  []ExposureItem   `json:"checklist"`
	Generated  time.Time        `json:"generated"`
}

// ExposureBundle is one bundle issued to the device.
type ExposureBundle struct {
	ID        string    `json:"id"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Expired   bool      `json:"expired"`
	Patients  int       `json:"patients"`
}

// ExposedPatient is a patient whose person card was in one or more of
// the bundles. Own: in the worker's own list in at least one bundle
// (else only in the unit part). Access: the card held door or key-box
// access information in at least one bundle. Name and UnitID are empty
// when the patient is no longer in the plan.
type ExposedPatient struct {
	ID          string    `json:"id"`
	Name        string    `json:"name,omitempty"`
	UnitID      string    `json:"unit_id,omitempty"`
	Own         bool      `json:"own"`
	Access      bool      `json:"access"`
	Bundles     int       `json:"bundles"`
	FirstIssued time.Time `json:"first_issued"`
	LastIssued  time.Time `json:"last_issued"`
}

// ExposureItem is one item of the checklist and its state: who ticked
// (or unticked) it and when; By is empty for an item never touched.
type ExposureItem struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	PatientID string     `json:"patient_id,omitempty"`
	Ticked    bool       `json:"ticked"`
	By        string     `json:"by,omitempty"`
	ByName    string     `json:"by_name,omitempty"`
	At        *time.Time `json:"at,omitempty"`
}

// ExposureTickRequest is the body of POST
// /api/v1/devices/{id}/exposure/checklist/{item}: tick (true) or untick.
type ExposureTickRequest struct {
	Ticked *bool `json:"ticked"`
}

// OwnDevicesResponse is the body of GET /api/v1/me/devices: the caller's
// own devices, the one of this session marked, so that a worker can
// report another of their phones lost (POST
// /api/v1/me/devices/{id}/lost).
type OwnDevicesResponse struct {
	Devices []DeviceView `json:"devices"`
	Current string       `json:"current,omitempty"`
}
