// Package e2e drives the real server binary and the real app in headless
// Chromium: log in, go offline by stopping the server process (DevTools
// network emulation does not take a service worker offline), reload, use
// the app.
package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"beredskap/internal/browsertest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// repoRoot is two levels up from this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// serverBinary builds cmd/beredskap once per test run. The app must have
// been built first (make wasm), because the binary embeds it.
func serverBinary(t testing.TB) string {
	t.Helper()
	root := repoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "web", "app.wasm")); err != nil {
		t.Fatalf("web/app.wasm is missing: run `make wasm` (make test does) before the browser tests")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "beredskap-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "beredskap")
		cmd := exec.Command("go", "build", "-o", binary, "./server/cmd/beredskap")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build server: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// server is a running beredskap process.
type server struct {
	t       testing.TB
	addr    string
	dataDir string
	args    []string
	cmd     *exec.Cmd
	log     *strings.Builder
}

// freeAddr returns a loopback address with a port nobody uses now. The
// same address is reused across restarts, because the app's origin (and
// its service worker and storage) depends on it.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts the binary with a fresh data directory (demo data).
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	s := &server{t: t, addr: freeAddr(t), dataDir: t.TempDir(), args: args}
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() && s.log != nil {
			out := s.log.String()
			if len(out) > 4000 {
				out = out[len(out)-4000:]
			}
			t.Logf("server log (tail):\n%s", out)
		}
	})
	return s
}

func (s *server) url(path string) string { return "http://" + s.addr + path }

func (s *server) start() {
	s.t.Helper()
	args := append([]string{"serve", "--addr", s.addr, "--data", s.dataDir}, s.args...)
	s.cmd = exec.Command(serverBinary(s.t), args...)
	s.log = &strings.Builder{}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url("/healthz"))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("server did not start:\n%s", s.log)
}

// stop kills the process: the phone sees exactly what it sees when the
// network is gone.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// browser starts headless Chromium with a fresh profile and a phone-sized
// window. The flags keep it from calling out to the internet.
func browser(t testing.TB) context.Context {
	t.Helper()
	return browserWithProfile(t, t.TempDir())
}

// desk starts Chromium at a desk screen's size, for the coordinator pages.
func desk(t testing.TB) context.Context {
	t.Helper()
	ctx := browserWithProfile(t, t.TempDir())
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// browserWithProfile starts Chromium on a given profile directory, so that
// a test can kill the browser and start it again on the same storage.
func browserWithProfile(t testing.TB, profile string) context.Context {
	t.Helper()
	path, err := browsertest.Path()
	if err != nil {
		t.Fatal(err)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browsertest.Options(path, profile)...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if line, ok := browsertest.ConsoleLine(ev); ok {
			t.Log(line)
		}
	}))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(browsertest.PhoneWidth, browsertest.PhoneHeight)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// within runs steps with a time limit derived from the browser context.
func within(t testing.TB, ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		shot(t, ctx, "failure")
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression (awaiting promises).
func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	return evalWithin[T](t, ctx, 30*time.Second, js)
}

// evalWithin is eval with its own time limit, for scripts that wait.
func evalWithin[T any](t testing.TB, ctx context.Context, d time.Duration, js string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("eval %q: %v", js, err)
	}
	return v
}

// shot saves a screenshot when E2E_SHOTS names a directory, for people to
// look at; tests never depend on it.
func shot(t testing.TB, ctx context.Context, name string) {
	dir := os.Getenv("E2E_SHOTS")
	if dir == "" {
		return
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	file := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".png")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// mounted matches the app's frame once the wasm app runs (not the
// server's prerender).
const mounted = chromedp.CSS(`[data-mounted="true"]`)

// sel is a CSS selector for a data-testid.
func sel(testid string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + testid + `"]`) }

// click clicks an element where a thumb would: first scrolled to the middle
// of the screen. DevTools' scroll-if-needed leaves a partly visible element
// where it is, and the centre of a card half under the fixed tab bar is a
// tab; which cards sit there depends on the announcements and visits of the
// hour, so a plain chromedp.Click fails at some times of day and not others.
func click(s chromedp.CSS) chromedp.Action[chromedp.Void] {
	centre := `(() => { const e = document.querySelector(` + strconv.Quote(string(s)) + `);
		if (e) e.scrollIntoView({block: "center", inline: "nearest"}); return true; })()`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitVisible(s)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.Evaluate[bool](centre)(ctx, t); err != nil {
			return err
		}
		_, err := chromedp.Click(s)(ctx, t)
		return err
	})
}

// waitServiceWorker waits until a service worker controls the page and its
// cache holds the app, so that going offline afterwards is meaningful.
func waitServiceWorker(t testing.TB, ctx context.Context) {
	t.Helper()
	// The worker stores a 10 MB app before it controls the page: on a
	// machine busy with other browsers that has taken over 30 s, so the
	// script gets 90 s and the eval a little more.
	ok := evalWithin[bool](t, ctx, 100*time.Second, `(async () => {
		for (let i = 0; i < 900; i++) {
			if (navigator.serviceWorker.controller) {
				const keys = await caches.keys();
				for (const k of keys) {
					const c = await caches.open(k);
					if (await c.match("/web/app.wasm")) return true;
				}
			}
			await new Promise(r => setTimeout(r, 100));
		}
		return false;
	})()`)
	if !ok {
		t.Fatal("no service worker with a cached app after 90 s")
	}
}

// waitFor polls a JavaScript expression until it is true (30 s at most).
func waitFor(t testing.TB, ctx context.Context, js string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Poll[bool](js)); err != nil {
		shot(t, ctx, "failure")
		t.Fatalf("waiting for %s: %v", js, err)
	}
}
