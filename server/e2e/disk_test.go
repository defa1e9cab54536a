package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"beredskap/internal/store"
	"beredskap/internal/store/badger"
	"beredskap/internal/wire"
)

// The full-disk tests run the server on a small tmpfs. Mounting one needs
// root and a mount namespace of its own, so that nothing shows outside
// the test: each test runs itself again under `unshare -m` and mounts the
// tmpfs there; the server it starts inherits the namespace.
const (
	inNamespaceEnv = "BEREDSKAP_E2E_MOUNT_NS"
	binaryEnv      = "BEREDSKAP_E2E_BINARY"
	tmpfsMiB       = 64
	// minFreeMiB is the reserve the server is started with: small enough
	// for the tmpfs, and larger than what its memtable log (64 MiB
	// mapped, a few MiB written here) can still claim by itself.
	minFreeMiB = 24
)

// onSmallDisk runs the calling test again in a mount namespace of its own
// and returns false; in there it mounts a tmpfs and returns true with its
// path.
func onSmallDisk(t *testing.T) (string, bool) {
	t.Helper()
	if os.Getenv(inNamespaceEnv) == "" {
		if os.Geteuid() != 0 {
			t.Skip("a full disk is simulated with a tmpfs, which only root can mount: run as root to prove the server survives a full disk")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skip("unshare (util-linux) is missing: it keeps the test's tmpfs out of the machine's mounts")
		}
		if out, err := exec.Command(unshare, "-m", "true").CombinedOutput(); err != nil {
			t.Skipf("this machine does not allow a private mount namespace (unshare -m: %v %s)", err, out)
		}
		cmd := exec.Command(unshare, "-m", "--propagation", "private", os.Args[0],
			"-test.run", "^"+t.Name()+"$", "-test.count", "1", "-test.v", "-test.timeout", "10m")
		// The binary is built once, here; the run in the namespace uses it.
		cmd.Env = append(os.Environ(), inNamespaceEnv+"=1", binaryEnv+"="+serverBinary(t))
		out, err := cmd.CombinedOutput()
		t.Logf("in its own mount namespace:\n%s", out)
		if err != nil || !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
			t.Fatalf("%s failed in its mount namespace: %v", t.Name(), err)
		}
		return "", false
	}
	if bin := os.Getenv(binaryEnv); bin != "" {
		buildOnce.Do(func() { binary = bin })
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm,mode=0700", tmpfsMiB)); err != nil {
		t.Fatalf("mount a tmpfs in the test's namespace: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	return dir, true
}

// startServerIn starts the binary on a data directory the test chose.
func startServerIn(t *testing.T, dataDir string, args ...string) *server {
	t.Helper()
	s := &server{t: t, addr: freeAddr(t), dataDir: dataDir, args: args}
	s.start()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() && s.log != nil {
			t.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

// shutdown stops the server as an operator does (SIGTERM) and says
// whether it exited by itself, not by a signal such as SIGBUS.
func (s *server) shutdown() error {
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.cmd.Wait()
	s.cmd = nil
	return err
}

// alive fails the test when the server process has died (a child that
// died and was not waited for is a zombie: state Z).
func (s *server) alive(t *testing.T) {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if i := bytes.LastIndexByte(stat, ')'); err != nil || i < 0 || bytes.HasPrefix(stat[i+1:], []byte(" Z")) {
		err := s.cmd.Wait()
		s.cmd = nil
		t.Fatalf("the server died: %v\n%s", err, s.log)
	}
}

// filler takes the disk's space away and gives it back.
type filler struct {
	dir  string
	path string
}

func freeOn(t *testing.T, dir string) uint64 {
	t.Helper()
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return st.Bavail * uint64(st.Bsize)
}

// leave grows the filler until at most free bytes are left on the disk
// (0: every block taken).
func (f *filler) leave(t *testing.T, free uint64) {
	t.Helper()
	fd, err := os.OpenFile(f.path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	fi, err := fd.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if now := freeOn(t, f.dir); now > free {
		err := unix.Fallocate(int(fd.Fd()), 0, fi.Size(), int64(now-free))
		if err != nil && !errors.Is(err, unix.ENOSPC) {
			t.Fatalf("fill the disk: %v", err)
		}
	}
	if free == 0 {
		// Whatever fallocate's rounding left, a page at a time.
		page := make([]byte, 4096)
		if _, err := fd.Seek(0, io.SeekEnd); err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := fd.Write(page); err != nil {
				break
			}
		}
	}
	t.Logf("disk filled: %d KiB free", freeOn(t, f.dir)>>10)
}

func (f *filler) remove(t *testing.T) {
	t.Helper()
	if err := os.Remove(f.path); err != nil {
		t.Fatal(err)
	}
}

// health reads /healthz.
func health(t *testing.T, srv *server) map[string]string {
	t.Helper()
	resp, err := http.Get(srv.url("/healthz"))
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	defer resp.Body.Close()
	var h map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || resp.StatusCode != 200 || h["status"] != "ok" {
		t.Fatalf("healthz: %d %v %v", resp.StatusCode, h, err)
	}
	return h
}

// waitWrites polls /healthz until writes are in the state wanted; the
// server measures its disk every few seconds, and the test does not
// assert how soon.
func waitWrites(t *testing.T, srv *server, want string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		h := health(t, srv)
		if h["writes"] == want {
			return h
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz still says %v, want writes %s", h, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// syncOnce sends one batch of the device's pending records and applies the
// answers; it reports whether the server refused for want of space. It
// may run beside other devices, so it returns its failure.
func (d *device) syncOnce(url string) (refused bool, err error) {
	req := d.syncRequest(url)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, fmt.Errorf("sync: %w (has the server died?)", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusServiceUnavailable {
		var eb wire.ErrorBody
		if json.Unmarshal(raw, &eb) != nil || eb.Error.Code != wire.CodeInsufficientStorage || resp.Header.Get("Retry-After") == "" {
			return false, fmt.Errorf("503 without insufficient_storage and Retry-After: %s %v", raw, resp.Header)
		}
		return true, nil
	}
	var sr wire.SyncResponse
	if resp.StatusCode != 200 || json.Unmarshal(raw, &sr) != nil {
		return false, fmt.Errorf("sync: %d %s", resp.StatusCode, raw)
	}
	for _, res := range sr.Results {
		if res.Status != wire.SyncAccepted && res.Status != wire.SyncDuplicate {
			return false, fmt.Errorf("record %s: %s %s", res.ID, res.Status, res.Message)
		}
		d.acked[res.ID] = res.Status
		delete(d.pending, res.ID)
	}
	return false, nil
}

// refusedNow sends one batch, which the server must refuse for want of
// space.
func (d *device) refusedNow(t *testing.T, url string) {
	t.Helper()
	refused, err := d.syncOnce(url)
	if err != nil {
		t.Fatal(err)
	}
	if !refused {
		t.Fatalf("device %s: records taken with the disk full", d.id)
	}
}

// loginToken logs a demo user in and returns the session token.
func loginToken(t *testing.T, srv *server, username string) string {
	t.Helper()
	body, _ := json.Marshal(wire.LoginRequest{Username: username, Password: "demo"})
	resp, err := http.Post(srv.url("/api/v1/session"), "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lr wire.LoginResponse
	if err := json.NewDecoder(resp.Body).Decode(&lr); err != nil || resp.StatusCode != 200 || lr.Token == "" {
		t.Fatalf("login %s: %d %v", username, resp.StatusCode, err)
	}
	return lr.Token
}

// getStatus makes an authenticated read and returns its status.
func getStatus(t *testing.T, srv *server, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.url(path), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// checkExactlyOnce opens the stopped server's store and checks that every
// device's records are there, each once.
func checkExactlyOnce(t *testing.T, dataDir string, devices []*device, perDevice int) {
	t.Helper()
	db, err := badger.Open(filepath.Join(dataDir, "db"), badger.Options{MinFree: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	stored, err := db.CountRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devices {
		if len(d.acked) != perDevice || len(d.pending) != 0 {
			t.Errorf("device %s: %d acknowledged, %d pending, want %d and 0", d.id, len(d.acked), len(d.pending), perDevice)
		}
		for id := range d.acked {
			if _, err := db.StoredRecordByID(ctx, id); err != nil {
				t.Errorf("acknowledged record %s is not stored: %v", id, err)
			}
		}
		seqs, err := db.DeviceSeqs(ctx, d.id)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint64]bool{}
		for _, s := range seqs {
			if seen[s] {
				t.Errorf("device %s: seq %d stored twice", d.id, s)
			}
			seen[s] = true
		}
		if len(seen) != perDevice {
			t.Errorf("device %s: %d records stored, want %d", d.id, len(seen), perDevice)
		}
	}
	if want := len(devices) * perDevice; stored != want {
		t.Fatalf("%d records stored, want %d", stored, want)
	}
}

// TestFullDiskWhileTwentyPhonesSync fills a 64 MiB disk while 20 phones
// sync: the server refuses their records with 503 insufficient_storage
// instead of dying in a mapped write (SIGBUS), keeps answering /healthz
// and reads on a disk with no block left, and once the filler is deleted
// every phone's records arrive, each exactly once.
func TestFullDiskWhileTwentyPhonesSync(t *testing.T) {
	dir, ok := onSmallDisk(t)
	if !ok {
		return
	}
	const perDevice = 250
	srv := startServerIn(t, filepath.Join(dir, "data"), "--min-free-mb", fmt.Sprint(minFreeMiB))
	users := []string{"anna", "nils", "ole", "sara", "per"}
	var devices []*device
	for i := range 20 {
		devices = append(devices, setupDevice(t, srv, users[i%len(users)], perDevice))
	}
	kari := loginToken(t, srv, "kari")
	fill := &filler{dir: dir, path: filepath.Join(dir, "filler")}

	// Leave the server 2 MiB above its reserve: the phones' records take
	// that and more (20 × 250 notes), so the server must start refusing.
	fill.leave(t, (minFreeMiB+2)<<20)
	var refusals atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(devices))
	for _, d := range devices {
		wg.Add(1)
		go func(d *device) {
			defer wg.Done()
			for len(d.pending) > 0 {
				refused, err := d.syncOnce(srv.url(""))
				if err != nil {
					errs <- err
					return
				}
				if refused {
					refusals.Add(1)
					return
				}
			}
		}(d)
	}
	wg.Wait()
	srv.alive(t)
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if refusals.Load() == 0 {
		t.Fatal("every record went in: the disk never filled, or the server never refused")
	}

	// Now no block at all is left; the phones keep trying.
	fill.leave(t, 0)
	for _, d := range devices {
		if len(d.pending) > 0 {
			d.refusedNow(t, srv.url(""))
		}
	}
	srv.alive(t)
	if h := health(t, srv); h["writes"] != "refused" || !strings.Contains(h["reason"], "no writes") {
		t.Fatalf("healthz on a full disk: %v", h)
	}
	if code := getStatus(t, srv, "/api/v1/records", kari); code != http.StatusOK {
		t.Fatalf("the desk's records list on a full disk: %d", code)
	}

	// Space again: every phone delivers what it kept.
	fill.remove(t)
	waitWrites(t, srv, "accepted")
	var attempts atomic.Int64
	deadline := time.Now().Add(3 * time.Minute)
	errs = make(chan error, len(devices))
	for _, d := range devices {
		wg.Add(1)
		go func(d *device) {
			defer wg.Done()
			if err := d.push(t, srv.url(""), deadline, &attempts); err != nil {
				errs <- err
			}
		}(d)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := srv.shutdown(); err != nil {
		t.Fatalf("the server did not stop cleanly: %v\n%s", err, srv.log)
	}
	checkExactlyOnce(t, srv.dataDir, devices, perDevice)
	t.Logf("%d of %d phones were refused while the disk was full; all %d records arrived once", refusals.Load(), len(devices), len(devices)*perDevice)
}

// TestServerStartsOnAFullDisk stops the server, takes every block of its
// disk and starts it again: it answers /healthz with the reason, serves
// the desk's reads from a read-only store, refuses a phone's records
// with 503, and takes them once the space is back, without a restart.
func TestServerStartsOnAFullDisk(t *testing.T) {
	dir, ok := onSmallDisk(t)
	if !ok {
		return
	}
	const perDevice = 20
	srv := startServerIn(t, filepath.Join(dir, "data"), "--min-free-mb", fmt.Sprint(minFreeMiB))
	phone := setupDevice(t, srv, "anna", perDevice)
	kari := loginToken(t, srv, "kari")
	if err := srv.shutdown(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	fill := &filler{dir: dir, path: filepath.Join(dir, "filler")}
	fill.leave(t, 0)

	srv.start() // returns once /healthz answers 200
	h := health(t, srv)
	if h["writes"] != "refused" || h["store"] != string(store.ModeReadOnly) || !strings.Contains(h["reason"], "read-only") {
		t.Fatalf("healthz after a start on a full disk: %v", h)
	}
	if code := getStatus(t, srv, "/api/v1/records", kari); code != http.StatusOK {
		t.Fatalf("the desk's records list after a start on a full disk: %d", code)
	}
	phone.refusedNow(t, srv.url(""))
	srv.alive(t)

	fill.remove(t)
	h = waitWrites(t, srv, "accepted")
	if h["store"] != string(store.ModeReadWrite) {
		t.Fatalf("healthz once space is back: %v", h)
	}
	var attempts atomic.Int64
	if err := phone.push(t, srv.url(""), time.Now().Add(time.Minute), &attempts); err != nil {
		t.Fatal(err)
	}
	if err := srv.shutdown(); err != nil {
		t.Fatalf("the server did not stop cleanly: %v\n%s", err, srv.log)
	}
	checkExactlyOnce(t, srv.dataDir, []*device{phone}, perDevice)
}
