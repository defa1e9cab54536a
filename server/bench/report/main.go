// Command report turns the output of the benchmarks (go test -bench) into
// server/bench/BENCHMARKS.md: every figure next to its target from DESIGN
// §8, the wasm's sizes and what its largest packages contribute, and the
// notes on what was tried where a target is missed.
//
//	go run ./server/bench/report -in .build/bench.txt -wasm web/app.wasm -out server/bench/BENCHMARKS.md
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	var ins multi
	flag.Var(&ins, "in", "benchmark output (repeatable)")
	wasm := flag.String("wasm", "web/app.wasm", "the built app (its .br and .gz copies beside it)")
	full := flag.String("full", "", "an unstripped build of the app, for the per-package breakdown")
	notes := flag.String("notes", "server/bench/notes.md", "hand-written notes appended to the report")
	out := flag.String("out", "server/bench/BENCHMARKS.md", "report to write")
	flag.Parse()
	if err := run(ins, *wasm, *full, *notes, *out); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// results maps a benchmark name (without the -N suffix) to its metrics by
// unit.
type results map[string]map[string]float64

func parse(r io.Reader, into results) (header []string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		// Each package's run repeats these lines; the machine is named once.
		if (strings.HasPrefix(line, "cpu:") || strings.HasPrefix(line, "goos:") || strings.HasPrefix(line, "goarch:")) &&
			!slices.Contains(header, line) {
			header = append(header, line)
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		m := into[name]
		if m == nil {
			m = map[string]float64{}
			into[name] = m
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return header, fmt.Errorf("%q: %w", line, err)
			}
			m[f[i+1]] = v
		}
	}
	return header, sc.Err()
}

// check is one target of DESIGN §8.
type check struct {
	what, target string
	value        func(results) (string, bool, bool) // shown, met, measured
}

func metric(res results, bench, unit string) (float64, bool) {
	v, ok := res[bench][unit]
	return v, ok
}

func atMost(bench, unit string, limit float64, format string) func(results) (string, bool, bool) {
	return func(res results) (string, bool, bool) {
		v, ok := metric(res, bench, unit)
		return fmt.Sprintf(format, v), v <= limit, ok
	}
}

func atLeast(bench, unit string, limit float64, format string) func(results) (string, bool, bool) {
	return func(res results) (string, bool, bool) {
		v, ok := metric(res, bench, unit)
		return fmt.Sprintf(format, v), v >= limit, ok
	}
}

const mib = 1 << 20

func checks(sizes map[string]int64) []check {
	return []check{
		{"app.wasm over the wire (brotli)", "≤ 2 MiB", func(results) (string, bool, bool) {
			br, ok := sizes["br"]
			return fmt.Sprintf("%.2f MiB (%d bytes)", float64(br)/mib, br), br <= 2*mib, ok
		}},
		{"offline cold start, 4× CPU throttle, median", "≤ 3 s", atMost("BenchmarkOfflineColdStart", "coldstart-ms", 3000, "%.0f ms")},
		{"PIN unlock (Argon2id) in Chromium, 4× CPU throttle as for the cold start", "0.5–1.5 s, ≥ 19 MiB", func(res results) (string, bool, bool) {
			slow, ok := metric(res, "BenchmarkBrowserArgon2id", "argon2id-4x-ms")
			plain, _ := metric(res, "BenchmarkBrowserArgon2id", "argon2id-ms")
			passes, _ := metric(res, "BenchmarkBrowserArgon2id", "kdf-passes")
			mib, known := metric(res, "BenchmarkBrowserArgon2id", "kdf-MiB")
			return fmt.Sprintf("%.0f ms at t=%.0f, %.0f MiB (unthrottled: %.0f ms)", slow, passes, mib, plain),
				slow >= 500 && slow <= 1500 && mib >= 19, ok && known
		}},
		{"sync ingest, 20 devices, loopback, durable", "≥ 5,000 records/s", atLeast("BenchmarkSyncIngest", "records/s", 5000, "%.0f records/s")},
		{"… as a share of the crypto-bound ceiling (the two public-key operations per record and raw Badger writes of the same rows, done together on every core, in turns with the ingest), same run", "≥ 80 %", ceilingShare("BenchmarkSyncIngest")},
		{"restore surge, 2,000 devices × 50 records", "< 60 s, 0 lost, 0 duplicated", surge("BenchmarkRestoreSurge")},
		{"bundle for a 20-visit shift: size", "≤ 100 KB", func(res results) (string, bool, bool) {
			kb, ok := metric(res, "BenchmarkShiftBundle", "KB")
			gz, _ := metric(res, "BenchmarkShiftBundle", "KB-gzip")
			return fmt.Sprintf("%.1f KB (%.1f KB gzip)", kb, gz), kb <= 100, ok
		}},
		{"bundle for a 20-visit shift: build, encode, sign", "≤ 5 ms", func(res results) (string, bool, bool) {
			ns, ok := metric(res, "BenchmarkShiftBundle", "ns/op")
			return fmt.Sprintf("%.2f ms", ns/1e6), ns <= 5e6, ok
		}},
		{"coordinators' records list over 100,000 records", "p95 ≤ 200 ms", func(res results) (string, bool, bool) {
			p95, ok := metric(res, "BenchmarkRecordsList", "p95-ms")
			p50, _ := metric(res, "BenchmarkRecordsList", "p50-ms")
			return fmt.Sprintf("p95 %.0f ms (p50 %.0f ms)", p95, p50), p95 <= 200, ok
		}},
		deskLatency(badger, "dashboard", "dashboard", 100_000),
		deskLatency(badger, "findings, first page of 200", "findings", 100_000),
		deskLatency(badger, "dashboard", "dashboard", 1_000_000),
		deskLatency(badger, "findings, first page of 200", "findings", 1_000_000),
		deskExport(badger, "CSV", "csv", 1_000_000, 50_000),
		deskExport(badger, "FHIR", "fhir", 1_000_000, 20_000),
		deskMemory(badger, 1_000_000),
	}
}

// deskStore is the store a desk benchmark ran on: its benchmark's name
// and the words its rows add to what they measure.
type deskStore struct{ bench, on string }

var (
	badger   = deskStore{"BenchmarkDesk", ""}
	postgres = deskStore{"BenchmarkDeskPostgres", " on PostgreSQL"}
)

// deskBench names a leaf of a desk benchmark.
func deskBench(st deskStore, records int, leaf string) string {
	return fmt.Sprintf("%s/records=%d/%s", st.bench, records, leaf)
}

// deskLatency is the p95 target of a desk request at a size, shown beside
// its multiple of the records list's first page in the same run.
func deskLatency(st deskStore, what, leaf string, records int) check {
	return check{fmt.Sprintf("desk%s at %s records: %s", st.on, thousands(records), what), "p95 ≤ 200 ms", func(res results) (string, bool, bool) {
		bench := deskBench(st, records, leaf)
		if _, aborted := metric(res, bench, "aborted"); aborted {
			return "aborted: the server passed its memory cap", false, true
		}
		p95, ok := metric(res, bench, "p95-ms")
		n, _ := metric(res, bench, "requests")
		if leaf == "records-list" {
			p50, _ := metric(res, bench, "p50-ms")
			return fmt.Sprintf("p95 %.0f ms (p50 %.0f ms), %.0f requests", p95, p50, n), p95 <= 200, ok
		}
		x, _ := metric(res, bench, "x-records-list")
		list, _ := metric(res, deskBench(st, records, "records-list"), "p95-ms")
		return fmt.Sprintf("p95 %.0f ms, %s× the records list's first page (p95 %.0f ms), %.0f requests", p95, ratio(x), list, n), p95 <= 200, ok
	}}
}

// deskMemory is the target of the server's peak memory serving the desk
// at a size; on PostgreSQL the memory of its processes is shown beside it.
func deskMemory(st deskStore, records int) check {
	return check{fmt.Sprintf("server's peak resident memory serving the desk%s at %s records (VmHWM)", st.on, thousands(records)), "≤ 500 MB", func(res results) (string, bool, bool) {
		bench := deskBench(st, records, "memory")
		peak, ok := metric(res, bench, "peak-rss-MB")
		desk, _ := metric(res, bench, "desk-rss-MB")
		exp, _ := metric(res, bench, "export-rss-MB")
		anon, _ := metric(res, bench, "peak-anon-MB")
		deskAnon, _ := metric(res, bench, "desk-anon-MB")
		expAnon, _ := metric(res, bench, "export-anon-MB")
		shown := fmt.Sprintf("%.0f MB (records list, dashboard, findings: %.0f MB; exports: %.0f MB); of it anonymous (heap): %.0f MB (%.0f MB; %.0f MB)",
			peak, desk, exp, anon, deskAnon, expAnon)
		if pg, known := metric(res, bench, "postgres-anon-MB"); known {
			shown += fmt.Sprintf("; PostgreSQL's processes beside it: %.0f MB anonymous", pg)
		}
		return shown, peak <= 500, ok
	}}
}

// deskExport is the rate target of an export of every record (DESIGN §8
// sets it at 1,000,000 records).
func deskExport(st deskStore, what, format string, records int, floor float64) check {
	return check{fmt.Sprintf("%s export of %s records%s", what, thousands(records), st.on), fmt.Sprintf("≥ %s records/s", thousands(int(floor))), func(res results) (string, bool, bool) {
		bench := deskBench(st, records, "export-"+format)
		if _, aborted := metric(res, bench, "aborted"); aborted {
			return "aborted: the server passed its memory cap", false, true
		}
		rate, ok := metric(res, bench, "records/s")
		mb, _ := metric(res, bench, "MB")
		rss, _ := metric(res, bench, "peak-rss-MB")
		anon, _ := metric(res, bench, "peak-anon-MB")
		shown := fmt.Sprintf("%.0f records/s (%.0f MB, server peak %.0f MB resident, %.0f MB anonymous", rate, mb, rss, anon)
		// The server's work for a record, and how much of the machine
		// the hypervisor took meanwhile: on a shared VM the rate moves
		// with the second, the first does not.
		if cpu, ok := metric(res, bench, "server-cpu-µs/record"); ok {
			stolen, _ := metric(res, bench, "%-stolen")
			shown += fmt.Sprintf("; %.1f µs of server CPU a record, %.0f %% of the processors stolen", cpu, stolen)
		}
		return shown + ")", rate >= floor, ok
	}}
}

// ratio writes a multiple with one decimal, or two below 0.1 (a figure
// far faster than the one it is compared with would read 0.0).
func ratio(x float64) string {
	if x < 0.1 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// thousands writes n with commas every three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func run(ins []string, wasm, full, notesFile, out string) error {
	if len(ins) == 0 {
		return errors.New("no -in")
	}
	res := results{}
	var header []string
	for _, in := range ins {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		h, err := parse(f, res)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		if header == nil {
			header = h
		}
	}
	sizes := map[string]int64{}
	for k, suffix := range map[string]string{"raw": "", "br": ".br", "gz": ".gz"} {
		if st, err := os.Stat(wasm + suffix); err == nil {
			sizes[k] = st.Size()
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` on %s. Do not edit by hand: the notes at the end come from `server/bench/notes.md`.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s, %d logical CPUs, %s", strings.TrimSpace(strings.TrimPrefix(strings.Join(header, " "), "")), runtime.NumCPU(), runtime.Version())
	if v, err := exec.Command("chromium", "--version").Output(); err == nil {
		fmt.Fprintf(&b, ", %s", strings.TrimSpace(string(v)))
	}
	b.WriteString(".\n\n| what | target | measured | |\n| --- | --- | --- | --- |\n")
	missed := 0
	for _, c := range append(checks(sizes), postgresChecks(res)...) {
		shown, met, ok := c.value(res)
		mark := "met"
		switch {
		case !ok:
			shown, mark = "not measured", "**missing**"
			missed++
		case !met:
			mark = "**missed**"
			missed++
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.what, c.target, shown, mark)
	}
	if cs, ok := res["BenchmarkOfflineColdStart"]; ok {
		fmt.Fprintf(&b, "\nCold start, split (medians of %.0f runs): reload to the PIN form on screen %.0f ms, of which the wasm fetched from the service worker's cache %.0f ms and fetched, compiled and started %.0f ms; PIN submitted to visit list %.0f ms, of which Argon2id and opening the sealed shift %.0f ms and the first render of the visits %.0f ms. Typing the PIN (%.0f ms by the test's keystrokes) is left out.\n",
			cs["runs"], cs["start-ms"], cs["wasm-fetch-ms"], cs["wasm-ready-ms"], cs["unlock-ms"], cs["argon2id-4x-ms"], cs["render-ms"], cs["typing-ms"])
	}
	if in, ok := res["BenchmarkSyncIngest"]; ok {
		fmt.Fprintf(&b, "\nIngest's ceiling, same run: a program of the bench's own writes raw Badger rows of the same sizes from 20 writers in the same batches, each batch's records first opened and their signatures checked, with the opener and verifier the server calls, by the goroutine that writes it; it runs in turns with the ingest (a fifth of the phones' requests, then a fifth of its records, five times), so that the VM's drifting speed is the same for both. On the cores less the %.2f core the simulated phones took (a process of their own at the lowest priority, %.0f µs of CPU per record, not counted as the server's) it reached %.0f records/s and spent %.0f µs of CPU per record; the server spent %.0f µs. Its parts timed apart: the two public-key operations alone on all %d cores %.0f records/s (%.0f µs of CPU per record to open the sealed box, %.0f µs to check the device's signature), raw Badger alone %.0f records/s (%.0f µs of CPU per record); added up, as if they cost together what each costs alone, %.0f records/s, of which the ingest reached %.0f %%. Ingest reached %.0f %% of raw Badger alone. Each figure is the median round's (by share of its ceiling) of %.0f.\n",
			in["phones-cores"], in["phones-cpu-µs/record"], in["bound-records/s"], in["bound-cpu-µs/record"], in["server-cpu-µs/record"],
			int(in["cores"]), in["crypto-records/s"], in["open-µs/record"], in["verify-µs/record"], in["badger-records/s"], in["badger-cpu-µs/record"],
			in["parts-records/s"], in["%-of-parts"], in["%-of-badger"], max(in["rounds"], 1))
	}
	if su, ok := res["BenchmarkRestoreSurge"]; ok {
		fmt.Fprintf(&b, "Restore surge: %.0f records/s; the server spent %.0f µs of CPU per record, the phones' process %.0f µs.\n",
			su["records/s"], su["server-cpu-µs/record"], su["phones-cpu-µs/record"])
	}
	if su, ok := res["BenchmarkPostgresRestoreSurge"]; ok {
		fmt.Fprintf(&b, "Restore surge on PostgreSQL (two nodes, synchronous standby): %.0f records/s; the servers spent %.0f µs of CPU per record, the phones' process %.0f µs.\n",
			su["records/s"], su["server-cpu-µs/record"], su["phones-cpu-µs/record"])
	}
	for _, st := range []deskStore{badger, postgres} {
		for _, n := range deskSizes(res, st) {
			m := res[deskBench(st, n, "memory")]
			d, f := res[deskBench(st, n, "dashboard")], res[deskBench(st, n, "findings")]
			csv, fhir := res[deskBench(st, n, "export-csv")], res[deskBench(st, n, "export-fhir")]
			capped := func(m map[string]float64, shown string) string {
				if m == nil {
					return "not measured"
				}
				if m["aborted"] > 0 {
					return "stopped at the memory cap"
				}
				return shown
			}
			seeded := fmt.Sprintf("seeded through the store in %.0f s", m["seed-s"])
			if v, ok := m["vacuum-s"]; ok {
				seeded += fmt.Sprintf(", VACUUM (ANALYZE) %.0f s, %.0f MB in the database", v, m["database-MB"])
			}
			fmt.Fprintf(&b, "\nDesk%s at %s records (%s, every kind of finding present, served by the server binary as its own process): findings %s, the first page of 200 %s; exports of every record: CSV %s, FHIR %s; peak resident memory %.0f MB, %.0f MB of it anonymous",
				st.on, thousands(n), seeded, capped(d, thousands(int(d["findings"]))), capped(f, fmt.Sprintf("%.0f KB", f["KB"])),
				capped(csv, fmt.Sprintf("%.0f records/s (%.0f MB)", csv["records/s"], csv["MB"])),
				capped(fhir, fmt.Sprintf("%.0f records/s (%.0f MB)", fhir["records/s"], fhir["MB"])), m["peak-rss-MB"], m["peak-anon-MB"])
			if v, ok := m["postgres-anon-MB"]; ok {
				fmt.Fprintf(&b, "; PostgreSQL's processes beside it %.0f MB anonymous (its shared buffers not counted)", v)
			}
			if m["aborted"] > 0 {
				fmt.Fprintf(&b, " (%.0f figures stopped at the memory cap)", m["aborted"])
			}
			b.WriteString(".\n")
		}
	}
	writePostgres(&b, res)
	if k, ok := res["BenchmarkKEK"]; ok {
		fmt.Fprintf(&b, "\nArgon2id natively (what one offline PIN guess costs an attacker on this CPU): %.0f ms.\n", k["ns/op"]/1e6)
	}
	if o, ok := res["BenchmarkOpenRecord/BoxOpener"]; ok {
		fmt.Fprintf(&b, "Opening one record's sealed box on the server: %.0f µs (x/crypto's OpenAnonymous: %.0f µs).\n",
			o["ns/op"]/1e3, res["BenchmarkOpenRecord/OpenBox"]["ns/op"]/1e3)
	}

	fmt.Fprintf(&b, "\n## app.wasm\n\n| | bytes | MiB |\n| --- | --- | --- |\n")
	for _, k := range []string{"raw", "gz", "br"} {
		fmt.Fprintf(&b, "| %s | %d | %.2f |\n", map[string]string{"raw": "raw", "gz": "gzip -9", "br": "brotli -q 11"}[k], sizes[k], float64(sizes[k])/mib)
	}
	if full != "" {
		mod, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		cmd := exec.Command("go", "list", "-deps", "./app/wasm")
		cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
		list, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("go list the app's packages: %w", err)
		}
		shares, total, err := wasmBreakdown(mod, strings.Fields(string(list)))
		if err != nil {
			return fmt.Errorf("%s: %w", full, err)
		}
		fmt.Fprintf(&b, "\nWhat the largest packages contribute to the code and data (%d bytes in an unstripped build; function bodies summed by the package in each function's name):\n\n| package | KiB | share |\n| --- | --- | --- |\n", total)
		for i, s := range shares {
			if i == 20 {
				break
			}
			fmt.Fprintf(&b, "| `%s` | %.0f | %.1f %% |\n", s.Package, float64(s.Bytes)/1024, 100*float64(s.Bytes)/float64(total))
		}
	}
	if notes, err := os.ReadFile(notesFile); err == nil {
		b.WriteString("\n")
		b.Write(notes)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d targets missed or not measured\n", out, missed)
	return nil
}
