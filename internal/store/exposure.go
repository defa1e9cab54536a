package store

import (
	"context"
	"time"
)

// The lost-phone exposure report (issue 19, item 3): what a revoked or
// lost phone may still hold is read from the bundles issued to it
// (IssuedBundle.OwnPatients, UnitPatients and AccessPatients); what the
// desk has done about it is a checklist whose items are ticked, each
// tick kept with who and when and audited.

// Audit actions of the exposure report.
const (
	// AuditDeviceLost is a device reported lost (by a coordinator or
	// admin from the desk, or by its own worker from another phone); the
	// revocation it causes is audited as AuditDeviceRevoke too.
	AuditDeviceLost = "device.lost"
	// AuditExposureTick is a checklist item of an exposure report ticked
	// or unticked.
	AuditExposureTick = "exposure.tick"
)

// ExposureTick is the state of one checklist item of a device's exposure
// report: ticked or unticked (an untick is kept too, with who and when).
type ExposureTick struct {
	DeviceID string    `json:"device_id"`
	Item     string    `json:"item"`
	Ticked   bool      `json:"ticked"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// Exposures holds the checklist ticks of the devices' exposure reports.
type Exposures interface {
	// SetExposureTick stores t (replacing the item's earlier state) with
	// its audit entry, in one transaction.
	SetExposureTick(ctx context.Context, t ExposureTick, a Audit) error
	// ExposureTicks lists the device's items' states in item order.
	ExposureTicks(ctx context.Context, deviceID string) ([]ExposureTick, error)
}
