package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"beredskap/internal/wire"
)

// BenchmarkDesk is the coordinators' desk at 100,000 and 1,000,000
// records (BENCH_DESK_SIZES, comma-separated, picks others): for each
// size, one data directory seeded through the store (desk_seed_test.go)
// and the real server binary serving it as a process of its own, logged
// in as the admin (who sees every unit). Against that one server, in this
// order:
//
//   - records-list: GET /api/v1/records?limit=200, the first page;
//   - dashboard: GET /api/v1/dashboard;
//   - findings: GET /api/v1/findings?limit=200, the first page;
//   - export-csv, export-fhir: GET /api/v1/export/csv and /fhir, every
//     record, read to the end;
//   - memory: the server's peak resident memory (VmHWM) over all of it.
//
// Dashboard and findings report their p95 beside its ratio to the records
// list's p95 in the same run (x-records-list). Each of the three takes
// deskMaxRequests requests, or as many as fit in deskBudget (at least
// deskMinRequests). Memory is reported as VmHWM (all resident memory,
// the pages of the store's files Badger maps included) and as the most
// anonymous resident memory seen (RssAnon: heap and stacks). The server
// is killed if the latter passes BENCH_DESK_RSS_CAP_MB (default 6,000):
// the figure it was measuring is then reported as aborted, and the server
// starts again for the next.
func BenchmarkDesk(b *testing.B) {
	sizes, rssCap, only := deskOptions(b, []int{100_000, 1_000_000})
	bin := deskBinary(b)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			data := deskDataDir(b, n)
			runDesk(b, n, data, only, func() *deskServer {
				return startDesk(b, bin, []string{"--data", data.dir}, rssCap<<20, nil)
			})
		})
	}
}

// deskOptions are the sizes (defaults unless BENCH_DESK_SIZES), the
// memory cap in MB (BENCH_DESK_RSS_CAP_MB) and the figures asked for
// (BENCH_DESK_ONLY).
func deskOptions(b *testing.B, defaults []int) (sizes []int, rssCapMB int64, only string) {
	sizes = defaults
	if v := os.Getenv("BENCH_DESK_SIZES"); v != "" {
		sizes = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1000 {
				b.Fatalf("BENCH_DESK_SIZES: %q is not a number of records (at least 1000)", f)
			}
			sizes = append(sizes, n)
		}
	}
	rssCapMB = 6000
	if v := os.Getenv("BENCH_DESK_RSS_CAP_MB"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 100 {
			b.Fatalf("BENCH_DESK_RSS_CAP_MB: %q", v)
		}
		rssCapMB = n
	}
	// BENCH_DESK_ONLY=export measures the exports alone, to work on them
	// without the minutes the rest takes at a million records.
	only = os.Getenv("BENCH_DESK_ONLY")
	if only != "" && only != "export" {
		b.Fatalf("BENCH_DESK_ONLY: %q (only \"export\" is known)", only)
	}
	return sizes, rssCapMB, only
}

// runDesk measures the desk of n seeded records (data) against the server
// that start starts, as the sub-benchmarks of b: every figure of
// BenchmarkDesk, whichever store the server runs on.
func runDesk(b *testing.B, n int, data *deskData, only string, start func() *deskServer) {
	started := time.Now()
	srv := start()
	// The start, apart: one dashboard request, not measured, waits
	// for the desk to be built from the store, so that every figure
	// after it is the desk served, not the desk being built (the
	// start's own time and memory are reported in "memory").
	if _, _, _, err := srv.get("/api/v1/dashboard", io.Discard); err != nil {
		b.Fatalf("the first dashboard: %v", err)
	}
	ready := time.Since(started)
	startPeak := srv.peaks()
	var listP95 float64
	peaks := map[string]deskPeak{}
	deskFigure := func(name string, fn func(b *testing.B)) {
		if only != "export" {
			b.Run(name, fn)
		}
	}
	deskFigure("records-list", func(b *testing.B) {
		srv.resetPeak()
		st := srv.sample(b, "/api/v1/records?limit=200", func(body []byte) error {
			var page wire.RecordsResponse
			if err := json.Unmarshal(body, &page); err != nil {
				return err
			}
			if len(page.Records) != 200 {
				return fmt.Errorf("the first page holds %d records", len(page.Records))
			}
			return nil
		})
		listP95 = st.report(b, 0)
		peaks["records-list"] = srv.peak(b)
	})
	deskFigure("dashboard", func(b *testing.B) {
		srv.resetPeak()
		var d wire.Dashboard
		st := srv.sample(b, "/api/v1/dashboard", func(body []byte) error {
			if err := json.Unmarshal(body, &d); err != nil {
				return err
			}
			if d.Records < n {
				return fmt.Errorf("the dashboard counts %d records of %d", d.Records, n)
			}
			for _, k := range deskKinds {
				if d.Findings[k] == 0 {
					return fmt.Errorf("no %s finding among %v: the seed must make every kind", k, d.Findings)
				}
			}
			return nil
		})
		st.report(b, listP95)
		if !st.aborted {
			total := 0
			for _, k := range deskKinds {
				total += d.Findings[k]
			}
			b.ReportMetric(float64(total), "findings")
			b.Logf("findings by kind: %v (%d open)", d.Findings, d.Open)
		}
		peaks["dashboard"] = srv.peak(b)
	})
	deskFigure("findings", func(b *testing.B) {
		srv.resetPeak()
		var size, count int
		st := srv.sample(b, "/api/v1/findings?limit=200", func(body []byte) error {
			var fr wire.FindingsResponse
			if err := json.Unmarshal(body, &fr); err != nil {
				return err
			}
			if len(fr.Findings) == 0 {
				return fmt.Errorf("no findings")
			}
			size, count = len(body), len(fr.Findings)
			return nil
		})
		st.report(b, listP95)
		if !st.aborted {
			b.ReportMetric(float64(size)/1000, "KB")
			b.ReportMetric(float64(count), "findings")
		}
		peaks["findings"] = srv.peak(b)
	})
	for _, format := range []string{"csv", "fhir"} {
		b.Run("export-"+format, func(b *testing.B) {
			srv.resetPeak()
			srv.export(b, format, n)
			peaks["export-"+format] = srv.peak(b)
		})
	}
	b.Run("memory", func(b *testing.B) {
		for b.Loop() {
		}
		most := func(names ...string) deskPeak {
			var m deskPeak
			for _, n := range names {
				m = deskPeak{max(m.rss, peaks[n].rss), max(m.anon, peaks[n].anon), max(m.beside, peaks[n].beside)}
			}
			return m
		}
		desk, exports := most("records-list", "dashboard", "findings"), most("export-csv", "export-fhir")
		b.ReportMetric(max(desk.rss, exports.rss), "peak-rss-MB")
		b.ReportMetric(max(desk.anon, exports.anon), "peak-anon-MB")
		b.ReportMetric(desk.rss, "desk-rss-MB")
		b.ReportMetric(exports.rss, "export-rss-MB")
		b.ReportMetric(desk.anon, "desk-anon-MB")
		b.ReportMetric(exports.anon, "export-anon-MB")
		// The start: from the process's start until the desk is
		// built and answers, with its peaks (Badger's replay and
		// compactions of a store just seeded included).
		b.ReportMetric(startPeak.rss, "start-rss-MB")
		b.ReportMetric(startPeak.anon, "start-anon-MB")
		if srv.beside != nil {
			// What the store's own processes held, beside the server's.
			unit := srv.beside.Unit()
			b.ReportMetric(max(desk.beside, exports.beside), unit)
			b.ReportMetric(desk.beside, "desk-"+unit)
			b.ReportMetric(exports.beside, "export-"+unit)
			b.ReportMetric(startPeak.beside, "start-"+unit)
		}
		b.ReportMetric(ready.Seconds(), "ready-s")
		b.ReportMetric(data.took.Seconds(), "seed-s")
		b.ReportMetric(float64(srv.aborts), "aborted")
		if data.copied > 0 {
			// The seed came from BENCH_DESK_CACHE: seed-s is when it was made.
			b.ReportMetric(data.copied.Seconds(), "seed-copy-s")
		}
		for _, e := range data.extra {
			b.ReportMetric(e.value, e.unit)
		}
		b.Logf("seeded %d records in %.1f s (%s): %v", n, data.took.Seconds(), strings.Join(data.phases, ", "), data.counts)
	})
}

// deskKinds are the kinds of finding the seed makes.
var deskKinds = []string{wire.FindingDoubleAdministration, wire.FindingMissingAdministration, wire.FindingUndocumentedVisit,
	wire.FindingOutsideWindow, wire.FindingEmergencyAccess, wire.FindingLateSync, wire.FindingSequenceGap,
	wire.FindingDuplicateSeq, wire.FindingQuarantined, wire.FindingMissingCosignature}

const (
	deskMaxRequests = 30
	deskMinRequests = 3
	deskBudget      = 40 * time.Second
)

// deskBinary builds the server binary (it embeds web/app.wasm, which
// make bench builds first) into tb's temporary directory.
func deskBinary(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(wd))
	if _, err := os.Stat(filepath.Join(root, "web", "app.wasm")); err != nil {
		tb.Fatalf("web/app.wasm is missing: run `make wasm` (make bench does) before the desk benchmarks")
	}
	bin := filepath.Join(tb.TempDir(), "beredskap")
	build := exec.Command("go", "build", "-o", bin, "./server/cmd/beredskap")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("build the server: %v\n%s", err, out)
	}
	return bin
}

// deskServer is the server binary serving a seeded store, with a watch
// on its resident memory.
type deskServer struct {
	bin, addr string
	store     []string // the flags naming the store: --data DIR, or --store URL ...
	rssCap    int64
	client    *http.Client
	// beside, when not nil, watches memory the figures need outside the
	// server's process (PostgreSQL's processes); each figure reports its
	// peak beside the server's.
	beside deskBeside

	mu      sync.Mutex
	cmd     *exec.Cmd
	log     *bytes.Buffer
	token   string
	killed  bool // by the watch, over the cap
	stopped chan struct{}
	aborts  int
	overCap bool  // since resetPeak: the peak is the cap or more
	anon    int64 // the most anonymous memory seen since resetPeak
}

// deskBeside is a watch on memory outside the server's process.
type deskBeside interface {
	// Reset starts a new peak.
	Reset()
	// Peak is the most seen since Reset (since the watch began, before
	// the first), in MB.
	Peak() float64
	// Unit is the metric the peak is reported as.
	Unit() string
}

// startDesk starts the binary on the store that the flags store name,
// with beside (or nil) watching memory outside it.
func startDesk(tb testing.TB, bin string, store []string, rssCap int64, beside deskBeside) *deskServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &deskServer{bin: bin, store: store, addr: addr, rssCap: rssCap, beside: beside,
		client: &http.Client{Timeout: 15 * time.Minute, Transport: &http.Transport{DisableCompression: true}}}
	s.start(tb)
	tb.Cleanup(s.stop)
	return s
}

func (s *deskServer) url(path string) string { return "http://" + s.addr + path }

// start runs the binary on the store (no demo data: the seed has its
// own, with the cheap password hashes), waits for /healthz and logs in as
// the admin.
func (s *deskServer) start(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	s.cmd = exec.Command(s.bin, append(append([]string{"serve", "--addr", s.addr}, s.store...), "--no-demo")...)
	s.log = &bytes.Buffer{}
	s.cmd.Stdout, s.cmd.Stderr = &lockedWriter{&s.mu, s.log}, &lockedWriter{&s.mu, s.log}
	s.killed = false
	err := s.cmd.Start()
	s.mu.Unlock()
	if err != nil {
		tb.Fatalf("start the server: %v", err)
	}
	s.stopped = make(chan struct{})
	go s.watch(s.cmd, s.stopped)
	ready := false
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := s.client.Get(s.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = true
				break
			}
		}
	}
	if !ready {
		s.stop()
		tb.Fatalf("the server did not answer /healthz within 2 minutes:\n%s", s.logTail())
	}
	body, _ := json.Marshal(wire.LoginRequest{Username: "admin", Password: "demo"})
	resp, err := s.client.Post(s.url("/api/v1/session"), "application/json", bytes.NewReader(body))
	if err != nil {
		s.mu.Lock()
		killed := s.killed
		s.mu.Unlock()
		if killed {
			tb.Fatalf("the server passed %d MB of anonymous resident memory while starting: raise BENCH_DESK_RSS_CAP_MB", s.rssCap>>20)
		}
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var lr wire.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || lr.Token == "" {
		tb.Fatalf("log in as admin: %d %v", resp.StatusCode, err)
	}
	s.token = lr.Token
}

// watch reads the process's anonymous resident memory (its heap and
// stacks, not the store's files it maps, which the kernel can drop) every
// 50 ms, keeps the most it saw, and kills the process past the cap, so
// that a request that grows without bound ends as a measured failure
// instead of taking the machine's memory.
func (s *deskServer) watch(cmd *exec.Cmd, stopped chan struct{}) {
	defer close(stopped)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			anon, err := procStatus(cmd.Process.Pid, "RssAnon")
			if err != nil {
				continue
			}
			s.mu.Lock()
			s.anon = max(s.anon, anon)
			over := anon > s.rssCap
			if over {
				s.killed = true
			}
			s.mu.Unlock()
			if over {
				cmd.Process.Signal(syscall.SIGKILL)
			}
		}
	}
}

func (s *deskServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.stopped
	s.cmd = nil
}

// down reports whether the watch killed the server over the cap (or it
// died otherwise), and if so starts it again.
func (s *deskServer) down(tb testing.TB) bool {
	tb.Helper()
	// A request fails as soon as the process is gone, a moment before
	// the watch has seen it exit.
	select {
	case <-s.stopped:
	case <-time.After(10 * time.Second):
		return false
	}
	s.mu.Lock()
	killed := s.killed
	s.mu.Unlock()
	if !killed {
		tb.Fatalf("the server exited:\n%s", s.logTail())
	}
	tb.Logf("the server passed %d MB of anonymous resident memory and was stopped; starting it again", s.rssCap>>20)
	s.aborts++
	s.overCap = true
	s.cmd = nil
	s.start(tb)
	return true
}

func (s *deskServer) logTail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.log.String()
	return out[max(0, len(out)-4000):]
}

// resetPeak sets the process's VmHWM back to its present resident size
// (writing 5 to clear_refs), so that peak reads each figure's own.
func (s *deskServer) resetPeak() {
	s.overCap = false
	s.mu.Lock()
	s.anon = 0
	s.mu.Unlock()
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
	if s.beside != nil {
		s.beside.Reset()
	}
}

// deskPeak is a figure's peak memory in MB: VmHWM, all resident memory
// (the store's mapped files the server touched included), the most
// anonymous resident memory the watch saw, and the peak the server's
// beside watch saw (zero without one).
type deskPeak struct{ rss, anon, beside float64 }

// peak reports the server's peaks since resetPeak, the cap for both when
// the watch stopped it there.
func (s *deskServer) peak(b *testing.B) deskPeak {
	b.Helper()
	p := s.peaks()
	b.ReportMetric(p.rss, "peak-rss-MB")
	b.ReportMetric(p.anon, "peak-anon-MB")
	if s.beside != nil {
		b.ReportMetric(p.beside, s.beside.Unit())
	}
	return p
}

// peaks are the server's peaks since resetPeak (since it started, before
// the first), the cap for both when the watch stopped it there; zero
// when /proc cannot say.
func (s *deskServer) peaks() deskPeak {
	var beside float64
	if s.beside != nil {
		beside = s.beside.Peak()
	}
	if s.overCap {
		return deskPeak{float64(s.rssCap >> 20), float64(s.rssCap >> 20), beside}
	}
	hwm, err := procStatus(s.cmd.Process.Pid, "VmHWM")
	if err != nil {
		return deskPeak{beside: beside}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return deskPeak{float64(hwm) / (1 << 20), float64(s.anon) / (1 << 20), beside}
}

// procStatus reads a field of /proc/PID/status in bytes.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		return kb << 10, err
	}
	return 0, fmt.Errorf("%s: no %s", f.Name(), field)
}

// get sends one GET as the admin and reads the whole answer; the time is
// until its last byte.
func (s *deskServer) get(path string, w io.Writer) (int, int64, time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, s.url(path), nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	t0 := time.Now()
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, 0, time.Since(t0), err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	took := time.Since(t0)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return resp.StatusCode, n, took, err
}

// deskTimes are one endpoint's answer times.
type deskTimes struct {
	times   []time.Duration
	aborted bool
}

// sample asks path until deskMaxRequests answers or deskBudget is spent
// (but at least deskMinRequests), checking each answer with check, which
// is not timed.
func (s *deskServer) sample(b *testing.B, path string, check func([]byte) error) *deskTimes {
	b.Helper()
	st := &deskTimes{}
	// Once aborted, the loop runs out without asking again: a benchmark
	// may not leave b.Loop early.
	for b.Loop() {
		start := time.Now()
		for !st.aborted && len(st.times) < deskMaxRequests && (len(st.times) < deskMinRequests || time.Since(start) < deskBudget) {
			var body bytes.Buffer
			_, _, took, err := s.get(path, &body)
			if err != nil {
				if s.down(b) {
					st.aborted = true
					break
				}
				b.Fatal(err)
			}
			st.times = append(st.times, took)
			if err := check(body.Bytes()); err != nil {
				b.Fatalf("GET %s: %v", path, err)
			}
		}
	}
	return st
}

// report puts the times' percentiles and, when list is not zero, the p95
// as a multiple of the records list's p95; it returns the p95.
func (st *deskTimes) report(b *testing.B, list float64) float64 {
	b.Helper()
	if st.aborted || len(st.times) == 0 {
		b.ReportMetric(1, "aborted")
		return 0
	}
	t := slices.Clone(st.times)
	sort.Slice(t, func(i, j int) bool { return t[i] < t[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	p := func(f float64) float64 { return ms(t[int(f*float64(len(t)-1)+0.5)]) }
	p95 := p(0.95)
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p95, "p95-ms")
	b.ReportMetric(ms(t[len(t)-1]), "max-ms")
	b.ReportMetric(float64(len(t)), "requests")
	if list > 0 {
		b.ReportMetric(p95/list, "x-records-list")
	}
	return p95
}

// export reads a whole export once and reports its rate.
func (s *deskServer) export(b *testing.B, format string, records int) {
	b.Helper()
	var took, cpu, steal time.Duration
	var size int64
	var lines lineCounter
	aborted := false
	for b.Loop() {
		if aborted {
			continue
		}
		var err error
		lines = 0
		var w io.Writer = io.Discard
		if format == "csv" {
			w = &lines
		}
		s.mu.Lock()
		pid := s.cmd.Process.Pid
		s.mu.Unlock()
		cpu0, steal0 := pidCPU(pid), stolen()
		_, size, took, err = s.get("/api/v1/export/"+format, w)
		cpu, steal = pidCPU(pid)-cpu0, stolen()-steal0
		if err != nil {
			if !s.down(b) {
				b.Fatal(err)
			}
			aborted = true
		}
	}
	if aborted {
		b.ReportMetric(1, "aborted")
		b.ReportMetric(0, "records/s")
		return
	}
	if format == "csv" && int(lines) < records {
		b.Fatalf("the CSV export has %d lines for %d records", lines, records)
	}
	b.ReportMetric(float64(records)/took.Seconds(), "records/s")
	b.ReportMetric(took.Seconds(), "s")
	b.ReportMetric(float64(size)/1e6, "MB")
	// The work beside the rate: the server's CPU for a record, and the
	// share of the machine's processors the hypervisor gave to other
	// machines meanwhile (on a shared VM the rate falls with it).
	b.ReportMetric(float64(cpu.Microseconds())/float64(records), "server-cpu-µs/record")
	b.ReportMetric(100*steal.Seconds()/(took.Seconds()*float64(runtime.NumCPU())), "%-stolen")
}

// lineCounter counts the newlines written to it.
type lineCounter int

func (c *lineCounter) Write(p []byte) (int, error) {
	*c += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
