package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// pgRun is the PostgreSQL benchmarks' output as go test writes it: the
// ingest and the desk of 2026-12-01 (a shared machine), a made-up surge
// over its target, and BenchmarkDesk's records list on Badger at the same
// size.
const pgRun = `goos: linux
BenchmarkPostgresIngest/nodes=1/standby=off-2         	       1	9079711951 ns/op	        35.33 %-of-bound	        80.57 %-of-bound-cpu	        31.63 %-of-raw	     11050 bound-records/s	     17304 crypto-records/s	        53.29 open-µs/record	         4.867 phones-cpu-µs/record	        57.00 postgres-cpu-µs/record	        65.41 raw-cpu-µs/record	     12345 raw-records/s	      3904 records/s	       162.3 server-cpu-µs/record	        57.97 verify-µs/record
BenchmarkPostgresIngest/nodes=2/standby=on-2          	       1	6912851936 ns/op	        62.71 %-of-bound	        71.20 %-of-parts	        88.02 %-of-bound-cpu	        52.59 %-of-raw	      9087 bound-records/s	     15641 crypto-records/s	        52.35 open-µs/record	         4.575 phones-cpu-µs/record	        82.00 postgres-cpu-µs/record	        92.23 raw-cpu-µs/record	     10837 raw-records/s	      5699 records/s	       151.2 server-cpu-µs/record	        60.73 verify-µs/record
BenchmarkPostgresRestoreSurge-2       	       1	16315572889 ns/op	         0 duplicated	         0 lost	      1500 records/s	        66.6 s-total
BenchmarkDesk/records=100000/records-list-2         	       1	2394809764 ns/op	       137.2 max-ms	        72.52 p50-ms	       113.3 p95-ms	      1037 peak-rss-MB	        30.00 requests
BenchmarkDesk/records=100000/memory-2               	       1	       180.0 ns/op	         0 aborted	      300 desk-rss-MB	      250 desk-anon-MB	      60 export-anon-MB	      250 peak-anon-MB	      400 export-rss-MB	      400 peak-rss-MB	        70 seed-s
BenchmarkDeskPostgres/records=100000/records-list-2         	       1	1541804385 ns/op	        73.51 max-ms	        51.13 p50-ms	        71.38 p95-ms	        62.19 peak-anon-MB	        96.89 peak-rss-MB	        27.88 postgres-anon-MB	        30.00 requests
BenchmarkDeskPostgres/records=100000/dashboard-2            	       1	  80435664 ns/op	      8099 findings	         4.328 max-ms	         2.587 p50-ms	         3.112 p95-ms	        62.19 peak-anon-MB	        96.89 peak-rss-MB	        27.88 postgres-anon-MB	        30.00 requests	         0.04360 x-records-list
BenchmarkDeskPostgres/records=100000/findings-2             	       1	 167879179 ns/op	        89.92 KB	       200.0 findings	         8.124 max-ms	         4.127 p50-ms	         7.281 p95-ms	        62.24 peak-anon-MB	        96.94 peak-rss-MB	        27.88 postgres-anon-MB	        30.00 requests	         0.1020 x-records-list
BenchmarkDeskPostgres/records=100000/export-csv-2           	       1	2227736752 ns/op	        50.14 MB	        66.88 peak-anon-MB	       101.6 peak-rss-MB	        27.94 postgres-anon-MB	     44889 records/s	         2.228 s
BenchmarkDeskPostgres/records=100000/export-fhir-2          	       1	3237134850 ns/op	        79.51 MB	        67.14 peak-anon-MB	       101.8 peak-rss-MB	        27.99 postgres-anon-MB	     30892 records/s	         3.237 s
BenchmarkDeskPostgres/records=100000/memory-2               	       1	       450.0 ns/op	         0 aborted	       445.0 database-MB	        62.24 desk-anon-MB	        27.88 desk-postgres-anon-MB	        96.94 desk-rss-MB	        67.14 export-anon-MB	        27.99 export-postgres-anon-MB	       101.8 export-rss-MB	        67.14 peak-anon-MB	       101.8 peak-rss-MB	        27.99 postgres-anon-MB	         3.494 ready-s	        10.85 seed-s	        60.49 start-anon-MB	        27.77 start-postgres-anon-MB	        94.82 start-rss-MB	         1.083 vacuum-s
`

func TestPostgresRows(t *testing.T) {
	res := results{}
	if _, err := parse(strings.NewReader(pgRun), res); err != nil {
		t.Fatal(err)
	}
	byWhat := map[string]check{}
	for _, c := range postgresChecks(res) {
		if _, twice := byWhat[c.what]; twice {
			t.Errorf("two rows %q", c.what)
		}
		byWhat[c.what] = c
	}
	cases := []struct {
		what      string
		shown     string
		met, have bool
	}{
		{"sync ingest on PostgreSQL, 20 devices, two nodes, synchronous standby, durable", "5699 records/s", true, true},
		{"… as a share of its crypto-bound ceiling (the two public-key operations per record and raw PostgreSQL writes of the same rows in the same transactions, done together on every core, in turns with the ingest), same run",
			"63 % (5699 of 9087 records/s; 88 % in CPU per record); 71 % of the ceiling added up from its parts timed apart", false, true},
		{"restore surge on PostgreSQL, 2,000 devices × 50 records, two nodes, synchronous standby", "66.6 s, 0 lost, 0 duplicated", false, true},
		{"desk on PostgreSQL at 100,000 records: records list, first page of 200", "p95 71 ms (p50 51 ms), 30 requests", true, true},
		{"desk on PostgreSQL at 100,000 records: dashboard", "p95 3 ms, 0.04× the records list's first page (p95 71 ms), 30 requests", true, true},
		{"desk on PostgreSQL at 100,000 records: findings, first page of 200", "p95 7 ms, 0.1× the records list's first page (p95 71 ms), 30 requests", true, true},
		{"CSV export of 100,000 records on PostgreSQL", "44889 records/s (50 MB, server peak 102 MB resident, 67 MB anonymous)", false, true},
		{"FHIR export of 100,000 records on PostgreSQL", "30892 records/s (80 MB, server peak 102 MB resident, 67 MB anonymous)", true, true},
	}
	if len(byWhat) != len(cases) {
		t.Errorf("%d rows, want %d", len(byWhat), len(cases))
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
	// Without the PostgreSQL lines every row is there, not measured, the
	// desk's at 100,000 records.
	empty := postgresChecks(results{})
	if len(empty) != len(cases) {
		t.Errorf("%d rows in an empty run, want %d", len(empty), len(cases))
	}
	for _, c := range empty {
		if _, ok := byWhat[c.what]; !ok {
			t.Errorf("empty run: row %q", c.what)
		}
		if _, _, have := c.value(results{}); have {
			t.Errorf("%s: measured in an empty run", c.what)
		}
	}
}

func TestPostgresTables(t *testing.T) {
	res := results{}
	if _, err := parse(strings.NewReader(pgRun), res); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	writePostgres(&b, res)
	out := b.String()
	for _, want := range []string{
		"| 1 | no | 3904 | 11050 | 35 % | 81 % | – | 12345 | 32 % | 162 | 57 |\n",
		"| 2 | yes | 5699 | 9087 | 63 % | 88 % | 71 % | 10837 | 53 % | 151 | 82 |\n",
		"| | Badger, 100,000 records | PostgreSQL, 100,000 records |\n",
		"| records list, first page of 200 | p95 113 ms (p50 73 ms) | p95 71 ms (p50 51 ms) |\n",
		"| dashboard |  | p95 3 ms (p50 3 ms), 0.04× the list |\n",
		"| CSV export of every record |  | 44889 records/s (50 MB; server 102 MB resident) |\n",
		"| server's peak resident memory (VmHWM) | 400 MB | 102 MB |\n",
		"| PostgreSQL's processes, anonymous memory (shared buffers not counted) |  | 28 MB |\n",
		"| seed through the store | 70 s | 11 s |\n",
		"| VACUUM (ANALYZE) after the seed |  | 1 s |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	// The configurations not run have no row.
	if strings.Contains(out, "| 1 | yes |") || strings.Contains(out, "| 2 | no |") {
		t.Errorf("a row for a configuration not run:\n%s", out)
	}
	// Without the PostgreSQL lines, nothing.
	b.Reset()
	writePostgres(&b, results{"BenchmarkDesk/records=100000/memory": {"peak-rss-MB": 400}})
	if b.Len() != 0 {
		t.Errorf("tables without PostgreSQL figures:\n%s", b.String())
	}
}

// TestPostgresMillion: with the desk on PostgreSQL at 1,000,000 records
// too, its latencies have rows at both sizes, the exports and the memory
// target at the million.
func TestPostgresMillion(t *testing.T) {
	res := results{}
	run := pgRun + `BenchmarkDeskPostgres/records=1000000/records-list-2         	       1	3979966382 ns/op	       457.2 max-ms	        98.62 p50-ms	       327.6 p95-ms	       454.1 peak-anon-MB	       488.4 peak-rss-MB	        38.28 postgres-anon-MB	        30.00 requests
BenchmarkDeskPostgres/records=1000000/export-csv-2           	       1	58451338600 ns/op	       504.1 MB	       471.9 peak-anon-MB	       506.6 peak-rss-MB	        40.15 postgres-anon-MB	     17108 records/s	        58.45 s
BenchmarkDeskPostgres/records=1000000/memory-2               	       1	       181.0 ns/op	         0 aborted	      4410 database-MB	       455.0 desk-anon-MB	        38.30 desk-postgres-anon-MB	       489.3 desk-rss-MB	       471.9 export-anon-MB	        41.87 export-postgres-anon-MB	       506.6 export-rss-MB	       471.9 peak-anon-MB	       506.6 peak-rss-MB	        41.87 postgres-anon-MB	       100.9 ready-s	       259.1 seed-s
`
	if _, err := parse(strings.NewReader(run), res); err != nil {
		t.Fatal(err)
	}
	shown := map[string]string{}
	for _, c := range postgresChecks(res) {
		s, met, have := c.value(res)
		shown[c.what] = fmt.Sprintf("%s met=%v measured=%v", s, met, have)
	}
	for what, want := range map[string]string{
		"desk on PostgreSQL at 100,000 records: records list, first page of 200":                    "p95 71 ms (p50 51 ms), 30 requests met=true measured=true",
		"desk on PostgreSQL at 1,000,000 records: records list, first page of 200":                  "p95 328 ms (p50 99 ms), 30 requests met=false measured=true",
		"desk on PostgreSQL at 1,000,000 records: dashboard":                                        "p95 0 ms, 0.00× the records list's first page (p95 328 ms), 0 requests met=true measured=false",
		"CSV export of 1,000,000 records on PostgreSQL":                                             "17108 records/s (504 MB, server peak 507 MB resident, 472 MB anonymous) met=false measured=true",
		"server's peak resident memory serving the desk on PostgreSQL at 1,000,000 records (VmHWM)": "507 MB (records list, dashboard, findings: 489 MB; exports: 507 MB); of it anonymous (heap): 472 MB (455 MB; 472 MB); PostgreSQL's processes beside it: 42 MB anonymous met=false measured=true",
	} {
		if got, ok := shown[what]; !ok || got != want {
			t.Errorf("%s: %q (row there: %v), want %q", what, got, ok, want)
		}
	}
	if _, ok := shown["CSV export of 100,000 records on PostgreSQL"]; ok {
		t.Error("an export row at 100,000 records beside the one at 1,000,000")
	}
}

// TestCeilingShareRounds: an ingest run in rounds shows its median round
// with the lowest and highest share; one round shows only itself; the
// target is the median's.
func TestCeilingShareRounds(t *testing.T) {
	const head = "BenchmarkSyncIngest-2 \t 1\t2687443117 ns/op\t"
	cases := []struct {
		name, line, shown string
		met               bool
	}{
		{"one round", head + "73.60 %-of-bound\t76.84 %-of-bound-cpu\t19706 bound-records/s\t14505 records/s\t1.000 rounds",
			"74 % (14505 of 19706 records/s; 77 % in CPU per record)", false},
		{"three rounds", head + "81.20 %-of-bound\t84.00 %-of-bound-cpu\t78.10 %-of-bound-min\t86.40 %-of-bound-max\t19706 bound-records/s\t16001 records/s\t3.000 rounds",
			"81 % (16001 of 19706 records/s; 84 % in CPU per record), the median of 3 rounds (78–86 %)", true},
		{"with the parts apart", head + "86.10 %-of-bound\t84.00 %-of-bound-cpu\t80.20 %-of-bound-min\t90.40 %-of-bound-max\t76.40 %-of-parts\t17000 bound-records/s\t14637 records/s\t3.000 rounds",
			"86 % (14637 of 17000 records/s; 84 % in CPU per record), the median of 3 rounds (80–90 %); 76 % of the ceiling added up from its parts timed apart", true},
		{"before rounds were reported", head + "73.60 %-of-bound\t76.84 %-of-bound-cpu\t19706 bound-records/s\t14505 records/s",
			"74 % (14505 of 19706 records/s; 77 % in CPU per record)", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := results{}
			if _, err := parse(strings.NewReader(c.line+"\n"), res); err != nil {
				t.Fatal(err)
			}
			shown, met, have := ceilingShare("BenchmarkSyncIngest")(res)
			if shown != c.shown || met != c.met || !have {
				t.Errorf("%q met=%v measured=%v, want %q met=%v measured=true", shown, met, have, c.shown, c.met)
			}
		})
	}
}
