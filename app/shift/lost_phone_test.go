package shift_test

import (
	"context"
	"errors"
	"testing"
	"time"

	ui "beredskap/app/shift"
)

// TestReportAnotherPhoneLost: a worker logged in on a second phone sees
// both her phones, this one marked, and reports the first lost: the
// server revokes it, and the first phone wipes at its next contact. A
// locked phone reports nothing.
func TestReportAnotherPhoneLost(t *testing.T) {
	be := newBackend(t, 8*time.Hour)
	ctx := context.Background()
	first := newPhone(t, be).shift("anna", "123456")
	lostID := writeShift(t, first)[0].DeviceID
	second := newPhone(t, be).shift("anna", "654321")

	own, err := second.Keyring().OwnDevices(ctx)
	if err != nil || len(own.Devices) != 2 || own.Current == "" || own.Current == lostID {
		t.Fatalf("own devices: %+v, %v", own, err)
	}
	if err := second.Keyring().ReportLost(ctx, lostID); err != nil {
		t.Fatal(err)
	}
	if d, err := be.db.Device(ctx, lostID); err != nil || d.Revoked == nil {
		t.Fatalf("the lost phone is not revoked: %+v, %v", d, err)
	}
	if d, _ := be.db.Device(ctx, own.Current); d.Revoked != nil {
		t.Fatal("the phone in hand was revoked")
	}
	if err := first.Syncer().SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	if first.Keyring().WipeReason() != ui.WipeRevoked {
		t.Fatalf("the lost phone did not wipe: %q", first.Keyring().WipeReason())
	}

	second.Keyring().Lock("test")
	if _, err := second.Keyring().OwnDevices(ctx); !errors.Is(err, ui.ErrLocked) {
		t.Fatalf("own devices while locked: %v", err)
	}
	if err := second.Keyring().ReportLost(ctx, own.Current); !errors.Is(err, ui.ErrLocked) {
		t.Fatalf("report while locked: %v", err)
	}
}
