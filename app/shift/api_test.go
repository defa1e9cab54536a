package shift_test

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	ui "beredskap/app/shift"
	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// Every call of the API client that sends a body says its media type, as
// the server requires (DESIGN §5); calls without a body send none.
func TestAPICallsSayTheirBodyType(t *testing.T) {
	type seen struct {
		method, path, ctype string
		body                int
	}
	var mu sync.Mutex
	var got []seen
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.Path, r.Header.Get("Content-Type"), len(b)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	defer hs.Close()
	api := ui.NewAPI(hs.URL)
	ctx := context.Background()
	calls := []func() error{
		func() error { _, err := api.Login(ctx, "anna", "demo"); return err },
		func() error { return api.Logout(ctx, "t") },
		func() error { return api.SetLang(ctx, "t", "sv") },
		func() error { _, err := api.RegisterDevice(ctx, "t", []byte{1}, "phone"); return err },
		func() error { _, err := api.Bundle(ctx, "t"); return err },
		func() error { _, err := api.Sync(ctx, "t", wire.SyncRequest{DeviceID: "d"}); return err },
		func() error { _, err := api.Reconcile(ctx, "t", wire.ReconcileRequest{Action: "void"}); return err },
		func() error { return api.ResolveFinding(ctx, "t", "f", "done") },
		func() error { _, _, err := api.ImportPlan(ctx, "t", "text/csv", []byte("a,b\n")); return err },
		func() error { _, _, err := api.ImportPlan(ctx, "t", "application/json", []byte("{}")); return err },
		func() error { _, err := api.SaveRoutine(ctx, "t", care.Routine{}); return err },
		func() error { _, err := api.PostAnnouncement(ctx, "t", wire.AnnouncementRequest{}); return err },
		func() error { _, err := api.ChangeOutage(ctx, "t", wire.OutageRequest{Action: "start"}); return err },
		func() error { return api.AddUser(ctx, "t", wire.NewUserRequest{}) },
		func() error { return api.DisableUser(ctx, "t", "u") },
		func() error { return api.ResetPassword(ctx, "t", "u", "pw") },
		func() error { return api.RevokeDevice(ctx, "t", "d") },
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	withBody := 0
	for _, s := range got {
		if s.body == 0 {
			if s.ctype != "" {
				t.Errorf("%s %s: no body but Content-Type %q", s.method, s.path, s.ctype)
			}
			continue
		}
		withBody++
		mt, _, err := mime.ParseMediaType(s.ctype)
		want := "application/json"
		if s.path == "/api/v1/plan" && mt == "text/csv" {
			want = "text/csv"
		}
		if err != nil || mt != want {
			t.Errorf("%s %s: a body with Content-Type %q", s.method, s.path, s.ctype)
		}
	}
	if len(got) != len(calls) || withBody < 12 {
		t.Fatalf("%d requests, %d with a body", len(got), withBody)
	}
}
