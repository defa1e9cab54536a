package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"beredskap/internal/care"
)

// TestEnginesOfflineShift runs the whole offline shift in Firefox ESR
// (headless, WebDriver BiDi through puppeteer-core) and in WebKitGTK
// (MiniBrowser under Xvfb, W3C WebDriver through WebKitWebDriver), the
// engines of Debian's firefox-esr and webkit2gtk-driver packages: log in,
// PIN, person card, a note; the server is killed; reload, unlock offline,
// routines, a note offline; the server comes back; the phone sends by
// itself; the server holds exactly one record of each note. Chromium runs
// the same shift in shift_test.go and record_test.go. The steps in the
// browser are server/e2e/engines/shift.mjs; `make engines` installs its
// one dependency from the committed lock file.
func TestEnginesOfflineShift(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "server", "e2e", "engines")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "puppeteer-core", "package.json")); err != nil {
		t.Fatalf("puppeteer-core is not installed in %s: run `make engines` (make test does)", dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: apt-get install -y nodejs npm (make deps does)")
	}
	for _, engine := range []string{"firefox", "webkit"} {
		t.Run(engine, func(t *testing.T) {
			srv := startServer(t)
			notes := []string{
				"Notat i " + engine + " med nett " + srv.addr,
				"Notat i " + engine + " uten nett " + srv.addr,
			}
			b, _ := json.Marshal(notes)
			args := []string{filepath.Join(dir, "shift.mjs"), "--engine", engine, "--url", srv.url("/"), "--notes", string(b)}
			env := append(os.Environ(), "TZ=Europe/Oslo")
			switch engine {
			case "firefox":
				ff := envOr("FIREFOX", "/usr/bin/firefox-esr")
				mustExist(t, ff, "firefox-esr")
				args = append(args, "--firefox", ff, "--profile", t.TempDir())
			case "webkit":
				mb := miniBrowser(t)
				display := startXvfb(t)
				wd := startWebKitDriver(t, display)
				args = append(args, "--webdriver", wd, "--minibrowser", mb)
			}
			runShift(t, srv, node, dir, env, args)

			srv.stop()
			got := map[string]int{}
			for _, r := range serverRecords(t, srv) {
				if r.Type == care.RecordNote {
					got[r.Text]++
				}
			}
			for _, n := range notes {
				if got[n] != 1 {
					t.Errorf("the server holds %d records of the note %q, want exactly 1 (all notes: %v)", got[n], n, got)
				}
			}
			if len(got) != len(notes) {
				t.Errorf("the server holds the notes %v, want exactly %q", got, notes)
			}
		})
	}
}

// runShift runs shift.mjs and does what it asks: kill the server, start
// it again. The script ends by itself; the context only bounds a hang.
func runShift(t *testing.T, srv *server, node, dir string, env, args []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stderr = testWriter{t}
	// On a hang: SIGTERM to its process group, which puppeteer answers by
	// closing Firefox (started in a process group of its own), then
	// SIGKILL after 15 s.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	done := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		step, ok := strings.CutPrefix(line, "@@ ")
		if !ok {
			t.Log(line)
			continue
		}
		switch step {
		case "stop-server":
			srv.stop()
		case "start-server":
			srv.start()
		case "done":
			done = true
		default:
			t.Errorf("shift.mjs asked for %q", step)
		}
		if _, err := io.WriteString(stdin, "ok\n"); err != nil {
			t.Errorf("answer shift.mjs: %v", err)
		}
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the shift did not end within 10 minutes")
	}
	if err != nil || !done {
		t.Fatalf("the shift failed (%v); its log is above", err)
	}
}

// testWriter sends a process's stderr to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func mustExist(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing: apt-get install -y %s (make deps does)", path, pkg)
	}
}

// miniBrowser is WebKitGTK's MiniBrowser from Debian's libwebkit2gtk
// package ($MINIBROWSER to choose another).
func miniBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MINIBROWSER"); p != "" {
		mustExist(t, p, "webkit2gtk-driver")
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/*-linux-gnu/webkit2gtk-4.*/MiniBrowser")
	if len(matches) == 0 {
		t.Fatal("WebKitGTK's MiniBrowser is missing: apt-get install -y webkit2gtk-driver (make deps does)")
	}
	return matches[len(matches)-1]
}

// startXvfb starts a virtual X display for MiniBrowser, which has no
// headless mode, and returns its name (":N"). Xvfb picks a free display
// number itself and writes it to the pipe given by -displayfd.
func startXvfb(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Fatal("Xvfb is missing: apt-get install -y xvfb (make deps does)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		r.Close()
		line <- strings.TrimSpace(s)
	}()
	select {
	case n := <-line:
		if n == "" {
			t.Fatal("Xvfb did not say which display it took")
		}
		return ":" + n
	case <-time.After(60 * time.Second):
		t.Fatal("Xvfb did not start within 60 s")
	}
	return ""
}

// startWebKitDriver starts WebKitWebDriver on a free port on the display
// and returns its URL once it answers.
func startWebKitDriver(t *testing.T, display string) string {
	t.Helper()
	path, err := exec.LookPath("WebKitWebDriver")
	if err != nil {
		t.Fatal("WebKitWebDriver is missing: apt-get install -y webkit2gtk-driver (make deps does)")
	}
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(path, "--port="+port)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "TZ=Europe/Oslo")
	cmd.Stdout, cmd.Stderr = testWriter{t}, testWriter{t}
	// Its own process group: MiniBrowser and WebKit's helper processes go
	// with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start WebKitWebDriver: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	url := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/status")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("WebKitWebDriver did not answer on %s within 60 s", url)
	return ""
}
