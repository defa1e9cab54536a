package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"beredskap/internal/wire"
)

// scrape reads url as Prometheus does and parses the text format.
func scrape(t *testing.T, client *http.Client, url, token string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("metrics served as %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	return resp.StatusCode, fams
}

// sample finds the metric of the family with exactly these label values
// (name, value pairs); nil when there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return m
	}
	return nil
}

// TestMetricsAccess: on the main listener only an admin's session reads
// the metrics; the listener of their own (serve --metrics-listen) serves
// them to anyone who reaches it, and nothing else.
func TestMetricsAccess(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").Token
	cases := []struct {
		name, token string
		status      int
		code        wire.Code
	}{
		{"anonymous", "", http.StatusUnauthorized, wire.CodeUnauthorized},
		{"not a session", "not-a-token", http.StatusUnauthorized, wire.CodeUnauthorized},
		{"worker", e.login("anna").Token, http.StatusForbidden, wire.CodeForbidden},
		{"nurse", e.login("nils").Token, http.StatusForbidden, wire.CodeForbidden},
		{"coordinator", e.login("kari").Token, http.StatusForbidden, wire.CodeForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, raw := e.call("GET", "/metrics", c.token, nil, nil)
			if code != c.status || errorCode(t, raw) != c.code {
				t.Fatalf("%d %s", code, raw)
			}
			if strings.Contains(string(raw), metricRequests) {
				t.Fatalf("refusal carries metrics: %s", raw)
			}
		})
	}

	// Requests before the scrape are counted by route, never by path.
	e.call("GET", "/api/v1/records/0190a1b2-0000-7000-8000-000000000000", admin, nil, nil)
	code, fams := scrape(t, e.http.Client(), e.http.URL+"/metrics", admin)
	if code != http.StatusOK {
		t.Fatalf("admin: %d", code)
	}
	for _, name := range []string{metricRequests, metricDuration, metricRecords, metricBatch, metricStoreErrors,
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if fams[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if m := sample(fams, metricRequests, "route", "GET /api/v1/records/{id}", "status", "404"); m.GetCounter().GetValue() != 1 {
		t.Errorf("the record lookup by route: %v", m)
	}
	if m := sample(fams, metricRequests, "route", "GET /metrics", "status", "403"); m.GetCounter().GetValue() != 3 {
		t.Errorf("refused scrapes by route: %v", m)
	}
	for _, m := range fams[metricRequests].GetMetric() {
		for _, l := range m.GetLabel() {
			if strings.Contains(l.GetValue(), "0190a1b2") {
				t.Errorf("a path reached a label: %v", m)
			}
		}
	}

	own := httptest.NewServer(e.srv.MetricsHandler())
	t.Cleanup(own.Close)
	code, fams = scrape(t, own.Client(), own.URL+"/metrics", "")
	if code != http.StatusOK || fams[metricRequests] == nil || fams["process_resident_memory_bytes"] == nil {
		t.Fatalf("the metrics listener: %d, %d families", code, len(fams))
	}
	for _, path := range []string{"/healthz", "/api/v1/users", "/"} {
		resp, err := own.Client().Get(own.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the metrics listener answers %s: %d", path, resp.StatusCode)
		}
	}
}

// TestMetricsCountSyncOutcomes sends batches whose outcomes the protocol
// fixes and checks that each moves the counters by exactly its own.
func TestMetricsCountSyncOutcomes(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").Token
	anna := e.phone("anna")
	nils := e.phone("nils")
	own := anna.ownPatient()
	first := anna.sealRecord(anna.note(own, "Første besøk"))
	second := anna.note(own, "Andre besøk")
	changed := second
	changed.Text = "Andre besøk, skrevet om"
	lost := nils.note(nils.ownPatient(), "Fra telefonen som ble borte")

	type counts struct{ accepted, duplicate, quarantined, rejected float64 }
	steps := []struct {
		name   string
		before func()
		phone  *phoneKit
		batch  []wire.SealedRecord
		want   counts
	}{
		{name: "one new", phone: anna, batch: []wire.SealedRecord{first}, want: counts{accepted: 1}},
		{name: "sent again", phone: anna, batch: []wire.SealedRecord{first}, want: counts{duplicate: 1}},
		{name: "old and new", phone: anna, batch: []wire.SealedRecord{first, anna.sealRecord(second)}, want: counts{accepted: 1, duplicate: 1}},
		{name: "the same twice", phone: anna, batch: func() []wire.SealedRecord {
			r := anna.sealRecord(anna.note(own, "To ganger"))
			return []wire.SealedRecord{r, r}
		}(), want: counts{accepted: 1, duplicate: 1}},
		{name: "invalid and changed", phone: anna, batch: []wire.SealedRecord{anna.sealRecord(anna.note(own, "")), anna.sealRecord(changed)}, want: counts{rejected: 2}},
		{name: "from a revoked phone", phone: nils, before: func() {
			dev, err := e.db.Device(context.Background(), nils.deviceID)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			dev.Revoked = &now
			if err := e.db.PutDevice(context.Background(), dev); err != nil {
				t.Fatal(err)
			}
		}, batch: []wire.SealedRecord{nils.sealRecord(lost)}, want: counts{quarantined: 1}},
	}
	read := func() (counts, uint64, float64) {
		t.Helper()
		code, fams := scrape(t, e.http.Client(), e.http.URL+"/metrics", admin)
		if code != http.StatusOK {
			t.Fatalf("scrape: %d", code)
		}
		v := func(o string) float64 { return sample(fams, metricRecords, "outcome", o).GetCounter().GetValue() }
		h := sample(fams, metricBatch).GetHistogram()
		return counts{v(wire.SyncAccepted), v(wire.SyncDuplicate), v(wire.SyncQuarantined), v(wire.SyncRejected)},
			h.GetSampleCount(), h.GetSampleSum()
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		was, batches, records := read()
		code, resp, raw := s.phone.sync(s.batch...)
		if code != http.StatusOK || len(resp.Results) != len(s.batch) {
			t.Fatalf("%s: %d %s", s.name, code, raw)
		}
		now, batchesNow, recordsNow := read()
		got := counts{now.accepted - was.accepted, now.duplicate - was.duplicate, now.quarantined - was.quarantined, now.rejected - was.rejected}
		if got != s.want {
			t.Errorf("%s: counters moved by %+v, want %+v (%s)", s.name, got, s.want, raw)
		}
		if batchesNow-batches != 1 || recordsNow-records != float64(len(s.batch)) {
			t.Errorf("%s: batch histogram moved by %d batches of %v records, want 1 of %d", s.name, batchesNow-batches, recordsNow-records, len(s.batch))
		}
	}

	// A request refused before the ingest counts no record and no batch.
	was, batches, _ := read()
	if code, _ := e.call("POST", "/api/v1/sync", anna.login.Token, `{"device_id":`, nil); code != http.StatusBadRequest {
		t.Fatalf("broken sync: %d", code)
	}
	if now, b, _ := read(); now != was || b != batches {
		t.Fatalf("a broken request moved the counters: %+v → %+v, batches %d → %d", was, now, batches, b)
	}
}

// TestMetricsCountStoreErrors: a write the store refuses for want of
// space and a store that fails count as store errors by their code; a
// caller's mistake does not.
func TestMetricsCountStoreErrors(t *testing.T) {
	var free atomic.Uint64
	free.Store(1 << 30)
	e := newEnvOnDisk(t, &free)
	anna := e.phone("anna")
	kari := e.login("kari").Token
	internal := e.srv.met.storeErrors.WithLabelValues(string(wire.CodeInternal))
	storage := e.srv.met.storeErrors.WithLabelValues(string(wire.CodeInsufficientStorage))

	e.call("GET", "/api/v1/records/not-an-id", kari, nil, nil)
	e.call("GET", "/api/v1/nothing-here", kari, nil, nil)
	if i, s := testutil.ToFloat64(internal), testutil.ToFloat64(storage); i != 0 || s != 0 {
		t.Fatalf("callers' mistakes counted as store errors: internal %v, storage %v", i, s)
	}

	free.Store(25 << 20)
	body, err := json.Marshal(wire.SyncRequest{DeviceID: anna.deviceID, Records: []wire.SealedRecord{anna.sealRecord(anna.note(anna.ownPatient(), "Full disk"))}})
	if err != nil {
		t.Fatal(err)
	}
	refusedForStorage(t, e, "POST", "/api/v1/sync", anna.login.Token, string(body))
	if s := testutil.ToFloat64(storage); s != 1 {
		t.Fatalf("insufficient_storage after a refused sync: %v", s)
	}
	free.Store(1 << 30)

	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	if code, raw := e.call("GET", "/api/v1/records", kari, nil, nil); code != http.StatusInternalServerError {
		t.Fatalf("over a closed store: %d %s", code, raw)
	}
	if i := testutil.ToFloat64(internal); i != 1 {
		t.Fatalf("internal after a failed store: %v", i)
	}
}
