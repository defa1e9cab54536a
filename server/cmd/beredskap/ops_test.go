package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestLogFormat: the logger serve builds writes text or one JSON object a
// line, and refuses any other format.
func TestLogFormat(t *testing.T) {
	cases := []struct {
		format string
		ok     bool
		check  func(line []byte) bool
	}{
		{"text", true, func(l []byte) bool { return bytes.Contains(l, []byte(`msg=hello route="GET /healthz" status=200`)) }},
		{"json", true, func(l []byte) bool {
			var v map[string]any
			return json.Unmarshal(l, &v) == nil && v["msg"] == "hello" && v["route"] == "GET /healthz" && v["status"] == 200.0 && v["level"] == "INFO" && v["time"] != nil
		}},
		{"xml", false, nil},
		{"", false, nil},
	}
	for _, c := range cases {
		t.Run(c.format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := newLogger(c.format, &buf)
			if !c.ok {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			log.Info("hello", "route", "GET /healthz", "status", 200)
			if !c.check(bytes.TrimSpace(buf.Bytes())) {
				t.Fatalf("%s", buf.Bytes())
			}
		})
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--data", t.TempDir(), "--log-format", "yaml"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Fatalf("serve --log-format yaml: %v", err)
	}
}

// TestServeMetricsListenAndJSONLogs runs serve as an operator would with
// --metrics-listen and --log-format json: the metrics listener serves
// /metrics without a login (and nothing else), the main listener refuses
// them to anyone without an admin's session, /readyz is 200, and every
// line on stderr is a JSON object, the request logs with route, status
// and duration.
func TestServeMetricsListenAndJSONLogs(t *testing.T) {
	base, stdout, stderr := startServeOut(t, "--metrics-listen", "127.0.0.1:0", "--log-format", "json")
	m := regexp.MustCompile(`Metrics at (http://[^/\s]+)/metrics`).FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no metrics address announced:\n%s", stdout.String())
	}
	metricsBase := m[1]
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(base + "/readyz"); code != http.StatusOK || !strings.Contains(body, `"ready"`) {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if code, body := get(base + "/healthz"); code != http.StatusOK {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, body := get(base + "/metrics"); code != http.StatusUnauthorized {
		t.Fatalf("metrics on the main listener without a login: %d %s", code, body)
	}
	code, body := get(metricsBase + "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `beredskap_http_requests_total{route="GET /healthz",status="200"} 1`) ||
		!strings.Contains(body, "process_resident_memory_bytes") || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("the metrics listener: %d\n%s", code, body)
	}
	if code, _ := get(metricsBase + "/healthz"); code != http.StatusNotFound {
		t.Fatalf("the metrics listener serves /healthz: %d", code)
	}

	var found bool
	deadline := time.Now().Add(10 * time.Second)
	for !found && time.Now().Before(deadline) {
		for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("a log line that is not JSON: %q: %v", line, err)
			}
			if v["msg"] == "http" && v["route"] == "GET /readyz" && v["status"] == 200.0 && v["ms"] != nil {
				found = true
			}
		}
		if !found {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !found {
		t.Fatalf("no JSON request log of /readyz with route, status and ms:\n%s", stderr.String())
	}
}
