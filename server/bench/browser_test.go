package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"beredskap/internal/browsertest"
)

// The phone's side of DESIGN §8, measured on the real server binary and the
// real app in headless Chromium: the offline cold start under 4× CPU
// throttling, and the PIN unlock's Argon2id.

const (
	brUser     = "nils" // a demo nurse with a day of visits
	brPassword = "demo"
	brPIN      = "271828"
	brRuns     = 5  // runs per figure at least; each figure is a median
	brThrottle = 4. // DevTools CPU slowdown for a mid-range phone
)

// brColdStartProbe runs in every new document before the page's own
// scripts. It only writes timestamps (performance.now(), milliseconds since
// the navigation started) into window.coldStart:
//   - wasmReady: WebAssembly.instantiateStreaming resolved (fetched,
//     compiled, instantiated);
//   - pin: the frame after the mounted app shows the unlock form;
//   - submit: the unlock form was submitted;
//   - unlocked, unlockMs: the app logged "unlocked in N ms" (Argon2id and
//     opening the sealed shift), and its N;
//   - kdfTime, kdfKiB, heapMiB: the Argon2id passes and memory that line
//     names, and the Go heap it reports;
//   - visit: the frame after the visit list shows.
//
// A mark is taken in the page, so the harness's polling latency and the
// DevTools round trips are not part of any figure.
const brColdStartProbe = `(() => {
	const m = window.coldStart = {};
	const now = () => performance.now();
	const stream = WebAssembly.instantiateStreaming;
	if (stream) {
		WebAssembly.instantiateStreaming = function (...args) {
			return stream.apply(this, args).then((r) => { m.wasmReady = now(); return r; });
		};
	}
	const log = console.log;
	console.log = function (...args) {
		const line = String(args[0]);
		const r = /unlocked in (\d+) ms/.exec(line);
		if (r && m.unlocked === undefined) {
			m.unlocked = now(); m.unlockMs = Number(r[1]);
			const k = /Argon2id t=(\d+) m=(\d+) KiB p=(\d+)\), Go heap from the system (\d+) MiB/.exec(line);
			if (k) { m.kdfTime = Number(k[1]); m.kdfKiB = Number(k[2]); m.heapMiB = Number(k[4]); }
		}
		return log.apply(this, args);
	};
	document.addEventListener("submit", () => { if (m.submit === undefined) m.submit = now(); }, true);
	const shown = (q) => { const e = document.querySelector(q); return !!e && e.getClientRects().length > 0; };
	const seen = {};
	const painted = (key) => {
		seen[key] = true;
		requestAnimationFrame(() => setTimeout(() => { m[key] = now(); }, 0));
	};
	const check = () => {
		if (!seen.pin && shown('[data-mounted="true"] [data-testid="unlock"]')) painted("pin");
		if (!seen.visit && shown('[data-mounted="true"] [data-testid="visit"]')) painted("visit");
		if (seen.pin && seen.visit) observer.disconnect();
	};
	const observer = new MutationObserver(check);
	observer.observe(document, { childList: true, subtree: true, attributes: true });
})()`

// brMarks are one run's timestamps from brColdStartProbe, plus the app.wasm
// resource timing, all in milliseconds since the navigation started.
type brMarks struct {
	WasmStart float64 `json:"wasmStart"` // app.wasm requested
	WasmEnd   float64 `json:"wasmEnd"`   // its last byte from the service worker
	WasmReady float64 `json:"wasmReady"`
	PIN       float64 `json:"pin"`
	Submit    float64 `json:"submit"`
	Unlocked  float64 `json:"unlocked"`
	UnlockMs  float64 `json:"unlockMs"`
	KDFTime   float64 `json:"kdfTime"`
	KDFKiB    float64 `json:"kdfKiB"`
	HeapMiB   float64 `json:"heapMiB"`
	Visit     float64 `json:"visit"`
}

// BenchmarkOfflineColdStart: a phone that holds a shift, with the server
// gone, is reloaded at 4× CPU throttling; the worker types the PIN and the
// visit list shows. The time the harness spends typing is left out:
// coldstart-ms is reload → unlock form plus submit → visit list.
//
// Split (each a median over the runs, so the parts need not add up exactly):
//   - wasm-fetch-ms: app.wasm's fetch from the service worker's cache
//     (resource timing: responseEnd − startTime);
//   - wasm-ready-ms: reload → app.wasm fetched, compiled and instantiated;
//   - start-ms: reload → unlock form painted (includes the two above and the
//     Go runtime, IndexedDB and first render);
//   - unlock-ms: PIN submitted → visit list painted;
//   - argon2id-4x-ms: the app's own unlock time (Argon2id and opening the
//     sealed shift) inside unlock-ms;
//   - render-ms: that unlock done → visit list painted;
//   - typing-ms: unlock form painted → PIN submitted, the harness's part,
//     shown so that what was left out can be seen.
func BenchmarkOfflineColdStart(b *testing.B) {
	phone := brOfflinePhone(b)
	runs := max(brRuns, b.N)
	var total, fetch, ready, start, unlock, kdf, render, typing []float64
	b.ResetTimer()
	for i := range runs {
		m := phone.coldStart(b, fmt.Sprintf("cold start %d/%d", i+1, runs), brThrottle)
		start = append(start, m.PIN)
		unlock = append(unlock, m.Visit-m.Submit)
		total = append(total, m.PIN+(m.Visit-m.Submit))
		fetch = append(fetch, m.WasmEnd-m.WasmStart)
		ready = append(ready, m.WasmReady)
		kdf = append(kdf, m.UnlockMs)
		render = append(render, m.Visit-m.Unlocked)
		typing = append(typing, m.Submit-m.PIN)
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op") // one op is all the runs: the medians below are the figures
	b.ReportMetric(brMedian(total), "coldstart-ms")
	b.ReportMetric(brMedian(fetch), "wasm-fetch-ms")
	b.ReportMetric(brMedian(ready), "wasm-ready-ms")
	b.ReportMetric(brMedian(start), "start-ms")
	b.ReportMetric(brMedian(unlock), "unlock-ms")
	b.ReportMetric(brMedian(kdf), "argon2id-4x-ms")
	b.ReportMetric(brMedian(render), "render-ms")
	b.ReportMetric(brMedian(typing), "typing-ms")
	b.ReportMetric(float64(runs), "runs")
}

// BenchmarkBrowserArgon2id: the PIN unlock at the production parameters in
// Chromium, as the app measures it (Argon2id and opening the sealed shift,
// the console's "unlocked in N ms"), each after a reload as a worker opens
// the app: unthrottled (argon2id-ms) and at 4× CPU throttling
// (argon2id-4x-ms).
func BenchmarkBrowserArgon2id(b *testing.B) {
	phone := brOfflinePhone(b)
	runs := max(brRuns, b.N)
	var plain, slow []float64
	var last brMarks
	heap := 0.
	b.ResetTimer()
	for i := range runs {
		last = phone.coldStart(b, fmt.Sprintf("unlock %d/%d", i+1, runs), 1)
		plain = append(plain, last.UnlockMs)
		heap = max(heap, last.HeapMiB)
	}
	for i := range runs {
		last = phone.coldStart(b, fmt.Sprintf("unlock at 4× throttling %d/%d", i+1, runs), brThrottle)
		slow = append(slow, last.UnlockMs)
		heap = max(heap, last.HeapMiB)
	}
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(brMedian(plain), "argon2id-ms")
	b.ReportMetric(brMedian(slow), "argon2id-4x-ms")
	b.ReportMetric(float64(runs), "runs")
	b.ReportMetric(last.KDFTime, "kdf-passes")
	b.ReportMetric(last.KDFKiB/1024, "kdf-MiB")
	b.ReportMetric(heap, "heap-MiB")
}

func brMedian(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// brPhone is headless Chromium holding a shift sealed under brPIN, with
// the server stopped.
type brPhone struct {
	ctx     context.Context
	console *brConsole
}

// brOfflinePhone builds and starts the server with demo data, logs brUser
// in on a phone-sized Chromium, sets the PIN, waits until the service
// worker holds the app, and stops the server.
func brOfflinePhone(tb testing.TB) *brPhone {
	tb.Helper()
	srv := brStartServer(tb)
	p := &brPhone{console: &brConsole{}}
	p.ctx = brBrowser(tb, p.console)
	p.do(tb, "log in and set the PIN", 2*time.Minute,
		chromedp.Navigate(srv.url("/")),
		chromedp.WaitVisible(brSel("username")),
		chromedp.SendKeys(brSel("username"), brUser),
		chromedp.SendKeys(brSel("password"), brPassword),
		chromedp.Click(brSel("login")),
		chromedp.WaitVisible(brSel("pin-confirm")),
		chromedp.SendKeys(brSel("pin"), brPIN),
		chromedp.SendKeys(brSel("pin-confirm"), brPIN),
		chromedp.Click(brSel("pin-save")),
		chromedp.WaitVisible(brSel("visit")),
	)
	if !brEval[bool](tb, p, "wait for the service worker", 60*time.Second, `(async () => {
		for (let i = 0; i < 500; i++) {
			if (navigator.serviceWorker.controller) {
				for (const k of await caches.keys()) {
					if (await (await caches.open(k)).match("/web/app.wasm")) return true;
				}
			}
			await new Promise((r) => setTimeout(r, 100));
		}
		return false;
	})()`) {
		tb.Fatalf("no service worker controls the page with app.wasm in its cache after 50 s%s", p.console.tail())
	}
	srv.stop()
	return p
}

// coldStart reloads the page at the CPU slowdown rate, waits for the unlock
// form, types the PIN, submits, waits for the visit list, and returns the
// run's marks. The throttling is lifted again before it returns.
func (p *brPhone) coldStart(tb testing.TB, what string, rate float64) brMarks {
	tb.Helper()
	p.throttle(tb, rate)
	defer p.throttle(tb, 1)
	// Throttled, the reload, the wasm start and Argon2id take several
	// times as long as on this machine.
	limit := time.Duration(rate) * time.Minute
	// Waiting on the probe's marks, polled every 50 ms, costs the page far
	// less than DOM queries through DevTools would while it is measured.
	p.do(tb, what+": reload to the unlock form", limit,
		chromedp.Reload(),
		chromedp.Poll[chromedp.Void](`window.coldStart && window.coldStart.pin !== undefined`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)),
	)
	p.do(tb, what+": type the PIN and wait for the visit list", limit,
		chromedp.SendKeys(brSel("pin"), brPIN),
		chromedp.Click(brSel("unlock")),
		chromedp.Poll[chromedp.Void](`window.coldStart.visit !== undefined && window.coldStart.unlocked !== undefined`,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)),
	)
	m := brEval[brMarks](tb, p, what+": read the marks", 30*time.Second, `(() => {
		const m = window.coldStart;
		const wasm = performance.getEntriesByType("resource").find((e) => new URL(e.name).pathname === "/web/app.wasm");
		return {
			wasmStart: wasm ? wasm.startTime : -1,
			wasmEnd: wasm ? wasm.responseEnd : -1,
			wasmReady: m.wasmReady ?? -1,
			pin: m.pin, submit: m.submit ?? -1, unlocked: m.unlocked, unlockMs: m.unlockMs, visit: m.visit,
			kdfTime: m.kdfTime ?? -1, kdfKiB: m.kdfKiB ?? -1, heapMiB: m.heapMiB ?? -1,
		};
	})()`)
	switch {
	case m.WasmStart < 0:
		tb.Fatalf("%s: no resource timing for /web/app.wasm%s", what, p.console.tail())
	case m.WasmReady < 0:
		tb.Fatalf("%s: WebAssembly.instantiateStreaming was not used or did not finish%s", what, p.console.tail())
	case m.Submit < 0:
		tb.Fatalf("%s: the unlock form was not submitted%s", what, p.console.tail())
	case m.KDFKiB < 0:
		tb.Fatalf("%s: the unlock line names no Argon2id parameters%s", what, p.console.tail())
	case !(m.WasmStart <= m.WasmEnd && m.WasmEnd <= m.WasmReady && m.WasmReady <= m.PIN &&
		m.PIN <= m.Submit && m.Submit <= m.Unlocked && m.Unlocked <= m.Visit):
		tb.Fatalf("%s: the marks are out of order: %+v", what, m)
	}
	return m
}

// throttle sets the renderer's CPU slowdown (1 is none).
func (p *brPhone) throttle(tb testing.TB, rate float64) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: rate}); err != nil {
		tb.Fatalf("CPU throttling %g×: %v", rate, err)
	}
}

// do runs browser steps within a time limit; a hang fails with what was
// being done and the last console lines.
func (p *brPhone) do(tb testing.TB, what string, limit time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			tb.Fatalf("%s: not done within %s%s", what, limit, p.console.tail())
		}
		tb.Fatalf("%s: %v%s", what, err, p.console.tail())
	}
}

// brEval evaluates JavaScript in the page (awaiting a promise) within a
// time limit.
func brEval[T any](tb testing.TB, p *brPhone, what string, limit time.Duration, js string) T {
	tb.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, limit)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("%s: %v%s", what, err, p.console.tail())
	}
	return v
}

func brSel(testid string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + testid + `"]`) }

// brConsole keeps the page's last console lines and exceptions, to explain
// a failure.
type brConsole struct {
	mu    sync.Mutex
	lines []string
}

func (c *brConsole) add(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, line)
	if len(c.lines) > 30 {
		c.lines = c.lines[len(c.lines)-30:]
	}
}

func (c *brConsole) tail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.lines) == 0 {
		return ""
	}
	return "\nlast console lines:\n  " + strings.Join(c.lines, "\n  ")
}

// brBrowser starts headless Chromium (/usr/bin/chromium, or $CHROMIUM) on a
// fresh profile at a phone's size, with the probe installed for every
// document. The flags keep it from calling out to the internet.
func brBrowser(tb testing.TB, console *brConsole) context.Context {
	tb.Helper()
	path, err := browsertest.Path()
	if err != nil {
		tb.Fatalf("%v: the browser benchmarks need it", err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browsertest.Options(path, tb.TempDir())...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if line, ok := browsertest.ConsoleLine(ev); ok {
			console.add(line)
		}
	}))
	tb.Cleanup(func() { cancel(); cancelAlloc() })

	// The first run starts the browser, whose life is bound to that run's
	// context, so it gets no deadline of its own: a watchdog stands in.
	started := make(chan error, 1)
	go func() {
		started <- chromedp.Do(ctx,
			chromedp.EmulateViewport(browsertest.PhoneWidth, browsertest.PhoneHeight),
			chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument,
					page.AddScriptToEvaluateOnNewDocumentParams{Source: brColdStartProbe})
				return err
			}),
		)
	}()
	select {
	case err := <-started:
		if err != nil {
			tb.Fatalf("start Chromium (%s): %v", path, err)
		}
	case <-time.After(60 * time.Second):
		cancel()
		cancelAlloc()
		tb.Fatalf("Chromium (%s) did not start within 60 s", path)
	}
	return ctx
}

// brServer is a running server binary.
type brServer struct {
	addr string
	cmd  *exec.Cmd
	log  *strings.Builder
}

func (s *brServer) url(path string) string { return "http://" + s.addr + path }

// brStartServer builds the server binary (which embeds web/app.wasm) and
// starts it with demo data on a fresh data directory at a free loopback
// port.
func brStartServer(tb testing.TB) *brServer {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(wd))
	if _, err := os.Stat(filepath.Join(root, "web", "app.wasm")); err != nil {
		tb.Fatalf("web/app.wasm is missing: run `make wasm` (make bench does) before the browser benchmarks")
	}
	bin := filepath.Join(tb.TempDir(), "beredskap")
	build := exec.Command("go", "build", "-o", bin, "./server/cmd/beredskap")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("build the server: %v\n%s", err, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	s := &brServer{addr: addr, log: &strings.Builder{}}
	s.cmd = exec.Command(bin, "serve", "--addr", addr, "--data", tb.TempDir())
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start the server: %v", err)
	}
	tb.Cleanup(s.stop)
	client := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get(s.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
	s.stop()
	tb.Fatalf("the server did not answer /healthz within 30 s:\n%s", s.log)
	return nil
}

// stop kills the process: the phone sees what it sees when the network is
// gone.
func (s *brServer) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}
