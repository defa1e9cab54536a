package shift_test

import (
	"context"
	"testing"
	"time"

	ui "beredskap/app/shift"
)

// TestRevokedPhoneEndsItsSessionAfterTheWipe: a revoked phone that is
// told to wipe, by a sync answer or by a refused bundle refresh, wipes
// and then ends its session on the server, so that the session a revoked
// phone keeps to deliver its outbox ends once the instruction arrived.
func TestRevokedPhoneEndsItsSessionAfterTheWipe(t *testing.T) {
	for _, how := range []string{"sync", "refresh"} {
		t.Run(how, func(t *testing.T) {
			be := newBackend(t, 8*time.Hour)
			ph := newPhone(t, be)
			ctx := context.Background()
			s := ph.shift("anna", "123456")
			written := writeShift(t, s)
			user := s.Keyring().User().ID
			if ss, err := be.db.UserSessions(ctx, user); err != nil || len(ss) != 1 {
				t.Fatalf("sessions before: %v %v", ss, err)
			}
			if _, err := be.db.RevokeDevice(ctx, written[0].DeviceID, "admin", time.Now()); err != nil {
				t.Fatal(err)
			}
			var err error
			if how == "sync" {
				err = s.Syncer().SyncNow(ctx)
			} else {
				err = s.Keyring().Refresh(ctx)
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Keyring().WipeReason() != ui.WipeRevoked {
				t.Fatalf("wipe reason %q", s.Keyring().WipeReason())
			}
			if ss, err := be.db.UserSessions(ctx, user); err != nil || len(ss) != 0 {
				t.Fatalf("the revoked phone's session lives on after its wipe: %v %v", ss, err)
			}
		})
	}
}
