package app

import (
	"testing"

	"beredskap/internal/store"
)

// TestDeviceAuditActions: the audit log links exactly the store's device
// actions to the exposure report (the app names them as strings).
func TestDeviceAuditActions(t *testing.T) {
	for action, want := range map[string]bool{
		store.AuditDevice: true, store.AuditDeviceRevoke: true, store.AuditDeviceLost: true, store.AuditExposureTick: true,
		store.AuditSync: false, store.AuditBundle: false, store.AuditUserAdd: false,
	} {
		if got := deviceAudit(action); got != want {
			t.Errorf("deviceAudit(%q) = %v, want %v", action, got, want)
		}
	}
}
