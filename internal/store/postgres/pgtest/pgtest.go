// Package pgtest starts real PostgreSQL 15 servers for tests, from
// Debian's postgresql-15 (/usr/lib/postgresql/15/bin): a cluster in a
// directory of its own under the system's temp directory, listening on
// 127.0.0.1 on a free port, its socket inside its data directory, its
// log in a file that a failed start prints.
//
// PostgreSQL refuses to run as root. When the test runs as root, every
// program of the cluster runs as the "postgres" system user (Debian's
// package creates it), in a directory chowned to that user; otherwise it
// runs as the test's own user.
//
// Most tests want a fresh database of their own in a cluster shared by
// the whole test binary: NewDatabase starts that cluster once and gives
// each test a new database, dropped when the test ends; Main (from
// TestMain) stops the cluster when the binary's tests are done. Tests
// that need clusters of their own (a primary and its standby, a primary
// that is killed) call Start, and Cluster.StartStandby for a streaming
// standby of it.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir is where Debian's postgresql-15 puts the server's programs.
const BinDir = "/usr/lib/postgresql/15/bin"

// InstallHint is what to run when the programs are missing.
const InstallHint = "apt-get install -y postgresql-15"

// superuser is the cluster's superuser, made by initdb.
const superuser = "postgres"

// Config configures a cluster.
type Config struct {
	// NoFsync turns fsync off. It is on by default: durability is what
	// the tests are about, and a drill that kills the primary must find
	// on disk what was committed.
	NoFsync bool
	// Settings are more server settings (postgresql.conf names), given
	// on the command line: synchronous_standby_names,
	// synchronous_commit, ...
	Settings map[string]string
}

// Cluster is one running PostgreSQL server.
type Cluster struct {
	// Dir is the cluster's own directory; DataDir is its data directory
	// inside it, LogFile the server's log.
	Dir, DataDir, LogFile string
	Port                  int

	cfg     Config
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the server process has ended
	waitErr error         // the process's end, once exited is closed
	stopped atomic.Bool
}

// Start makes a new cluster (initdb) and starts it.
func Start(cfg Config) (*Cluster, error) {
	c, err := newCluster(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.run(filepath.Join(BinDir, "initdb"), "-D", c.DataDir, "-U", superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8"); err != nil {
		c.remove()
		return nil, fmt.Errorf("initdb: %w", err)
	}
	if err := c.start(); err != nil {
		c.remove()
		return nil, err
	}
	return c, nil
}

// StartStandby makes a streaming standby of c from a base backup
// (pg_basebackup -R writes standby.signal and primary_conninfo) and
// starts it. Its application_name is name, which the primary's
// synchronous_standby_names can list.
func (c *Cluster) StartStandby(name string, cfg Config) (*Cluster, error) {
	s, err := newCluster(cfg)
	if err != nil {
		return nil, err
	}
	if err := s.run(filepath.Join(BinDir, "pg_basebackup"), "-D", s.DataDir, "-h", "127.0.0.1",
		"-p", strconv.Itoa(c.Port), "-U", superuser, "-X", "stream", "-R", "-c", "fast"); err != nil {
		s.remove()
		return nil, fmt.Errorf("pg_basebackup: %w", err)
	}
	if s.cfg.Settings == nil {
		s.cfg.Settings = map[string]string{}
	}
	s.cfg.Settings["primary_conninfo"] = fmt.Sprintf("host=127.0.0.1 port=%d user=%s application_name=%s", c.Port, superuser, name)
	if err := s.start(); err != nil {
		s.remove()
		return nil, err
	}
	return s, nil
}

// Promote makes a standby the primary (pg_ctl promote, waiting until it
// takes writes).
func (c *Cluster) Promote() error {
	if err := c.run(filepath.Join(BinDir, "pg_ctl"), "promote", "-w", "-D", c.DataDir); err != nil {
		return fmt.Errorf("promote: %w", err)
	}
	return nil
}

func newCluster(cfg Config) (*Cluster, error) {
	if _, err := os.Stat(filepath.Join(BinDir, "postgres")); err != nil {
		return nil, fmt.Errorf("PostgreSQL 15 is not installed (%v): run %s", err, InstallHint)
	}
	dir, err := os.MkdirTemp("", "beredskap-pg-")
	if err != nil {
		return nil, fmt.Errorf("cluster directory: %w", err)
	}
	c := &Cluster{Dir: dir, DataDir: filepath.Join(dir, "data"), LogFile: filepath.Join(dir, "postgres.log"), cfg: cfg}
	if os.Geteuid() == 0 {
		uid, gid, err := postgresUser()
		if err == nil {
			err = os.Chown(dir, int(uid), int(gid))
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("cluster directory for the postgres user: %w", err)
		}
	}
	return c, nil
}

// postgresUser is the uid and gid of the postgres system user.
func postgresUser() (uint32, uint32, error) {
	u, err := user.Lookup("postgres")
	if err != nil {
		return 0, 0, fmt.Errorf("PostgreSQL refuses to run as root and there is no postgres user (%v): run %s", err, InstallHint)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("postgres user: %w", err)
	}
	return uint32(uid), uint32(gid), nil
}

// command runs a program of the cluster, as the postgres user when the
// test is root. It is the same as runuser -u postgres, without a process
// in between: the server's own process gets the signal when the test
// binary dies (Pdeathsig), so nothing is left running.
func (c *Cluster) command(name string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PGTZ=UTC")
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	if os.Geteuid() == 0 {
		uid, gid, err := postgresUser()
		if err != nil {
			return nil, err
		}
		attr.Credential = &syscall.Credential{Uid: uid, Gid: gid, Groups: []uint32{}}
		cmd.Env = append(cmd.Env, "HOME="+c.Dir, "USER=postgres", "LOGNAME=postgres")
	}
	cmd.SysProcAttr = attr
	return cmd, nil
}

// run runs a program to its end; its output is in the error.
func (c *Cluster) run(name string, args ...string) error {
	cmd, err := c.command(name, args...)
	if err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", filepath.Base(name), err, out)
	}
	return nil
}

// start runs the server on a free port and waits until it answers. A
// port taken between the pick and the bind is tried again.
func (c *Cluster) start() error {
	var err error
	for range 3 {
		if c.Port, err = freePort(); err != nil {
			return err
		}
		if err = c.startOn(c.Port); err == nil || !strings.Contains(c.Log(), "could not bind") {
			return err
		}
	}
	return err
}

// startOn runs the server on port and waits until it answers.
func (c *Cluster) startOn(port int) error {
	settings := map[string]string{
		"port":                    strconv.Itoa(port),
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": c.DataDir,
		"fsync":                   "on",
		"max_connections":         "200",
		"shared_buffers":          "32MB",
		"timezone":                "UTC",
		"log_min_messages":        "warning",
	}
	if c.cfg.NoFsync {
		settings["fsync"], settings["synchronous_commit"], settings["full_page_writes"] = "off", "off", "off"
	}
	for k, v := range c.cfg.Settings {
		settings[k] = v
	}
	args := []string{"-D", c.DataDir}
	for k, v := range settings {
		args = append(args, "-c", k+"="+v)
	}
	log, err := os.OpenFile(c.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	defer log.Close()
	cmd, err := c.command(filepath.Join(BinDir, "postgres"), args...)
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.cmd, c.exited = cmd, make(chan struct{})
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("postgres ended at its start (%v); its log:\n%s", c.waitErr, c.Log())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.Kill()
			return fmt.Errorf("postgres did not answer within a minute (%v); its log:\n%s", err, c.Log())
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URL is the libpq URL of database db on the cluster, as its superuser.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(superuser), Host: fmt.Sprintf("127.0.0.1:%d", c.Port), Path: "/" + db,
		RawQuery: "sslmode=disable"}
	return u.String()
}

// Log is what the server has logged so far.
func (c *Cluster) Log() string {
	b, err := os.ReadFile(c.LogFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Stop shuts the server down (a fast shutdown: sessions are ended,
// everything committed is on disk) and removes its directory; the
// cluster is gone.
func (c *Cluster) Stop() error {
	if c.stopped.Swap(true) {
		return nil
	}
	var err error
	if c.cmd != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.exited
			err = fmt.Errorf("postgres did not stop within 30 s; killed")
		}
	}
	c.remove()
	return err
}

// Kill ends the server at once with SIGKILL, as a crash or a power cut
// would, and leaves its directory: a later Restart recovers from it.
// Every process of the server goes: the postmaster, and its children,
// which PostgreSQL makes leaders of process groups of their own (so
// that a signal to the postmaster's group misses them) and which would
// otherwise end only once they notice the postmaster is gone. Kill
// returns when they have: a server restarted while one of them is still
// attached to the old shared memory refuses to start ("pre-existing
// shared memory block is still in use").
func (c *Cluster) Kill() {
	if c.cmd == nil {
		return
	}
	pid := c.cmd.Process.Pid
	children := childrenOf(pid)
	c.cmd.Process.Kill()
	<-c.exited
	syscall.Kill(-pid, syscall.SIGKILL)
	for _, child := range children {
		syscall.Kill(child, syscall.SIGKILL)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, child := range children {
		for runs(child) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// procStat is the state and the parent of process pid, from
// /proc/pid/stat ("pid (comm) state ppid ...", where comm may hold
// spaces and parentheses).
func procStat(pid int) (state string, ppid int, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return "", 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return "", 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return f[0], ppid, err == nil
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, ok := procStat(p); ok && ppid == pid {
			out = append(out, p)
		}
	}
	return out
}

// runs reports whether process pid runs: a zombie, which holds no
// shared memory any more, does not.
func runs(pid int) bool {
	state, _, ok := procStat(pid)
	return ok && state != "Z" && state != "X"
}

// Restart starts a killed server again on its data directory and its
// port (its clients reconnect to where it was).
func (c *Cluster) Restart() error {
	if c.cmd != nil {
		select {
		case <-c.exited:
		default:
			return errors.New("restart: the server is running")
		}
	}
	return c.startOn(c.Port)
}

func (c *Cluster) remove() { os.RemoveAll(c.Dir) }

// The cluster shared by one test binary.
var (
	sharedOnce sync.Once
	shared     *Cluster
	sharedErr  error
	dbCount    atomic.Int64
)

// Shared is the test binary's cluster, started at the first call. Main
// stops it.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	sharedOnce.Do(func() { shared, sharedErr = Start(Config{}) })
	if sharedErr != nil {
		t.Fatalf("start PostgreSQL: %v", sharedErr)
	}
	return shared
}

// NewDatabase creates a new, empty database in the shared cluster and
// returns its URL; it is dropped when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	c := Shared(t)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbCount.Add(1))
	ctx := context.Background()
	if err := c.Exec(ctx, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Exec(ctx, "postgres", "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return c.URL(name)
}

// Exec runs statements on database db as the superuser, on a connection
// of its own.
func (c *Cluster) Exec(ctx context.Context, db, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL(db))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// Main runs a test binary's tests and then stops the shared cluster, if
// one was started: call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}
