package server

import (
	"testing"
	"time"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestAnnouncementsAndOutage(t *testing.T) {
	e := newEnv(t)
	kari := e.login("kari").Token
	var a care.Announcement
	if code, raw := e.call("POST", "/api/v1/announcements", kari, wire.AnnouncementRequest{Level: "important", Text: "EPJ er nede. Skriv i Beredskap."}, &a); code != 200 || len(a.Units) != 2 || a.Author != "Kari Lunde" {
		t.Fatalf("%d %s", code, raw)
	}
	for _, bad := range []wire.AnnouncementRequest{{Level: "info"}, {Level: "urgent", Text: "x"}, {Level: "info", Text: "x", Units: []string{"elsewhere"}}} {
		if code, _ := e.call("POST", "/api/v1/announcements", kari, bad, nil); code == 200 {
			t.Errorf("accepted %+v", bad)
		}
	}
	anna := e.phone("anna")
	found := false
	for _, b := range anna.bundle.Announcements {
		if b.ID == a.ID {
			found = true
		}
	}
	if !found {
		t.Fatal("the announcement is not in the phone's bundle")
	}

	start := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	var st wire.OutagesResponse
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start", Note: "EPJ nede", At: &start}, &st); code != 200 || st.Current == nil || !st.Current.Start.Equal(start) || st.LastAnnouncement == nil {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "start"}, nil); code != 409 {
		t.Fatalf("second start: %d", code)
	}
	var fr wire.FindingsResponse
	e.call("GET", "/api/v1/findings", kari, nil, &fr)
	if !fr.Since.Equal(start) {
		t.Fatalf("findings window starts %v, want the outage's %v", fr.Since, start)
	}
	var ended wire.OutagesResponse
	if code, raw := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "end"}, &ended); code != 200 || ended.Current != nil || ended.Outages[0].End == nil {
		t.Fatalf("%d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/outage", kari, wire.OutageRequest{Action: "end"}, nil); code != 409 {
		t.Fatalf("second end: %d", code)
	}
}
