//go:build linux

// The desk on PostgreSQL: BenchmarkDesk's seed and figures with the
// server binary on a PostgreSQL store (serve --store) instead of Badger
// in a data directory. Linux only, as pgtest is.

package bench

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"beredskap/internal/demo"
	"beredskap/internal/servertest"
)

// BenchmarkDeskPostgres is BenchmarkDesk on PostgreSQL: for each size
// (100,000 unless BENCH_DESK_SIZES), a cluster of its own (pgtest: fsync
// on, synchronous_commit as PostgreSQL ships it, no standby), the same
// seed through the same code (seedDeskStore: PutRecords in batches of
// 1,000, now into the postgres store), then the server binary on that
// database (serve --store URL --encryption-key-file F) and the same
// figures under the same names. Memory adds postgres-anon-MB: the
// anonymous resident memory of all of the cluster's processes together
// (the backends serving the server's pool, the postmaster and its
// workers), outside the server's own figures; PostgreSQL's shared memory
// (shared_buffers) is not counted in it.
//
// The seed ends with VACUUM (ANALYZE) of the database, timed apart
// (vacuum-s): a database that took its records over four days has been
// through autovacuum, and one just loaded would otherwise be vacuumed
// while the figures are measured.
func BenchmarkDeskPostgres(b *testing.B) {
	sizes, rssCap, only := deskOptions(b, []int{100_000})
	bin := deskBinary(b)
	for _, n := range sizes {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			pg := startPostgres(b, false)
			data, url := seedDeskPostgres(b, pg, n)
			keyFile := filepath.Join(b.TempDir(), "store.key")
			if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(pg.key)+"\n"), 0o600); err != nil {
				b.Fatal(err)
			}
			mem := watchCluster(b, pg.primary.DataDir)
			runDesk(b, n, data, only, func() *deskServer {
				return startDesk(b, bin, []string{"--store", url, "--encryption-key-file", keyFile}, rssCap<<20, mem)
			})
		})
	}
}

// seedDeskPostgres seeds database "desk" on pg as seedDesk seeds a data
// directory: the demo municipality with the cheap hasher, then
// seedDeskStore, then VACUUM (ANALYZE). It returns the database's URL.
func seedDeskPostgres(b *testing.B, pg *pgDeploy, n int) (*deskData, string) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	db := pg.stores(b, "desk", 1)[0]
	hasher, loc := servertest.Hasher(), servertest.Oslo(b)
	if err := demo.Seed(ctx, db, hasher, time.Now(), loc); err != nil {
		b.Fatal(err)
	}
	data := seedDeskStore(b, db, hasher, loc, n, start)
	url := pg.primary.URL("desk")
	t0 := time.Now()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		b.Fatalf("vacuum the seeded database: %v", err)
	}
	vacuum := time.Since(t0)
	var size int64
	if err := conn.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&size); err != nil {
		b.Fatal(err)
	}
	data.phases = append(data.phases, fmt.Sprintf("vacuum (analyze) %.1f s", vacuum.Seconds()))
	data.extra = append(data.extra, deskMetric{vacuum.Seconds(), "vacuum-s"}, deskMetric{float64(size) / 1e6, "database-MB"})
	return data, url
}

// clusterMemory watches a PostgreSQL cluster's processes every 100 ms:
// the sum of their anonymous resident memory (RssAnon: each process's
// private memory; the shared buffers are shared memory, RssShmem, and
// not in it), the most seen since Reset.
type clusterMemory struct {
	postmaster int
	mu         sync.Mutex
	peak       int64
}

// watchCluster starts a watch on the cluster whose data directory is
// dataDir; it stops when tb ends.
func watchCluster(tb testing.TB, dataDir string) *clusterMemory {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		tb.Fatalf("postmaster.pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(raw), "\n", 2)[0])
	if err != nil {
		tb.Fatalf("postmaster.pid: %v", err)
	}
	m := &clusterMemory{postmaster: pid}
	if _, err := m.sample(); err != nil {
		tb.Fatalf("the cluster's memory: %v", err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if anon, err := m.sample(); err == nil {
					m.mu.Lock()
					m.peak = max(m.peak, anon)
					m.mu.Unlock()
				}
			}
		}
	}()
	tb.Cleanup(func() { close(stop); <-done })
	return m
}

// sample sums RssAnon over the postmaster and its children (every
// backend and background worker is one), in bytes.
func (m *clusterMemory) sample() (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", m.postmaster, m.postmaster))
	if err != nil {
		return 0, err
	}
	total, err := procStatus(m.postmaster, "RssAnon")
	if err != nil {
		return 0, err
	}
	for _, f := range strings.Fields(string(raw)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return 0, fmt.Errorf("children of %d: %q", m.postmaster, f)
		}
		// A backend that has ended since the list holds nothing.
		if anon, err := procStatus(pid, "RssAnon"); err == nil {
			total += anon
		}
	}
	return total, nil
}

func (m *clusterMemory) Reset() {
	anon, _ := m.sample()
	m.mu.Lock()
	m.peak = anon
	m.mu.Unlock()
}

func (m *clusterMemory) Peak() float64 {
	anon, _ := m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peak = max(m.peak, anon)
	return float64(m.peak) / (1 << 20)
}

func (m *clusterMemory) Unit() string { return "postgres-anon-MB" }
