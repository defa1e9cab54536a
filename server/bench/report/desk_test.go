package main

import (
	"strings"
	"testing"
)

// deskRun is BenchmarkDesk's output as go test writes it, at both sizes:
// the figures of 2026-12-01 at 100,000 records and made-up ones at
// 1,000,000, one of them aborted at the memory cap.
const deskRun = `goos: linux
BenchmarkDesk/records=100000/records-list-2         	       1	2394809764 ns/op	       137.2 max-ms	        72.52 p50-ms	       113.3 p95-ms	      1037 peak-rss-MB	        30.00 requests
BenchmarkDesk/records=100000/dashboard-2            	       1	43354105913 ns/op	      8058 findings	      5378 max-ms	      4225 p50-ms	      5378 p95-ms	      1594 peak-rss-MB	        10.00 requests	        47.45 x-records-list
BenchmarkDesk/records=100000/findings-2             	       1	42927656779 ns/op	      2861 KB	      8058 findings	      5176 max-ms	      4430 p50-ms	      5176 p95-ms	      1514 peak-rss-MB	        10.00 requests	        45.67 x-records-list
BenchmarkDesk/records=1000000/records-list-2         	       1	2394809764 ns/op	       20 max-ms	        10 p50-ms	       15 p95-ms	      300 peak-rss-MB	        30.00 requests
BenchmarkDesk/records=1000000/dashboard-2            	       1	1 ns/op	      9 p95-ms	     30 requests	        0.6 x-records-list
BenchmarkDesk/records=1000000/findings-2             	       1	1 ns/op	      250 p95-ms	     30 requests	        16.67 x-records-list
BenchmarkDesk/records=1000000/export-csv-2           	       1	1 ns/op	        500 MB	      200 peak-rss-MB	      120 peak-anon-MB	      60000 records/s	        16 s
BenchmarkDesk/records=1000000/export-fhir-2          	       1	1 ns/op	        1 aborted	      6000 peak-rss-MB	      0 records/s
BenchmarkDesk/records=1000000/memory-2               	       1	       180.0 ns/op	         1 aborted	      300 desk-rss-MB	      250 desk-anon-MB	      6000 export-anon-MB	      6000 peak-anon-MB	      6000 export-rss-MB	      6000 peak-rss-MB	        70 seed-s
`

func TestDeskRows(t *testing.T) {
	res := results{}
	if _, err := parse(strings.NewReader(deskRun), res); err != nil {
		t.Fatal(err)
	}
	byWhat := map[string]check{}
	for _, c := range checks(nil) {
		byWhat[c.what] = c
	}
	cases := []struct {
		what      string
		shown     string
		met, have bool
	}{
		{"desk at 100,000 records: dashboard", "p95 5378 ms, 47.5× the records list's first page (p95 113 ms), 10 requests", false, true},
		{"desk at 100,000 records: findings, first page of 200", "p95 5176 ms, 45.7× the records list's first page (p95 113 ms), 10 requests", false, true},
		{"desk at 1,000,000 records: dashboard", "p95 9 ms, 0.6× the records list's first page (p95 15 ms), 30 requests", true, true},
		{"desk at 1,000,000 records: findings, first page of 200", "p95 250 ms, 16.7× the records list's first page (p95 15 ms), 30 requests", false, true},
		{"CSV export of 1,000,000 records", "60000 records/s (500 MB, server peak 200 MB resident, 120 MB anonymous)", true, true},
		{"FHIR export of 1,000,000 records", "aborted: the server passed its memory cap", false, true},
		{"server's peak resident memory serving the desk at 1,000,000 records (VmHWM)", "6000 MB (records list, dashboard, findings: 300 MB; exports: 6000 MB); of it anonymous (heap): 6000 MB (250 MB; 6000 MB)", false, true},
	}
	for _, c := range cases {
		chk, ok := byWhat[c.what]
		if !ok {
			t.Errorf("no row %q", c.what)
			continue
		}
		shown, met, have := chk.value(res)
		if shown != c.shown || met != c.met || have != c.have {
			t.Errorf("%s: %q met=%v measured=%v, want %q met=%v measured=%v", c.what, shown, met, have, c.shown, c.met, c.have)
		}
	}
	// Without the desk's lines the rows say they were not measured.
	for _, c := range cases {
		if _, _, have := byWhat[c.what].value(results{}); have {
			t.Errorf("%s: measured in an empty run", c.what)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 20_000: "20,000", 100_000: "100,000", 1_000_000: "1,000,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
