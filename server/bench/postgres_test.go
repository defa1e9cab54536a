//go:build linux

// The PostgreSQL store's figures: the same ingest and the same surge as
// on Badger (server_test.go), through one server node or two, each node
// its own pool on one database, on a cluster the benchmark starts
// (pgtest, fsync on) and stops, with or without a synchronous standby.
// Linux only, as pgtest is.

package bench

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"beredskap/internal/demo"
	"beredskap/internal/keys"
	"beredskap/internal/servertest"
	"beredskap/internal/store"
	"beredskap/internal/store/postgres"
	"beredskap/internal/store/postgres/pgtest"
)

// pgStandbyName is the synchronous standby's application_name.
const pgStandbyName = "bench_standby"

// pgDeploy is a PostgreSQL primary, with its synchronous standby or
// without, and the encryption key its stores seal with.
type pgDeploy struct {
	primary, standby *pgtest.Cluster
	key              []byte
}

// startPostgres starts a cluster for one benchmark; it is stopped (and
// its directory removed) when the benchmark ends. With standby, every
// commit returns only once the standby has flushed it
// (synchronous_commit = on).
func startPostgres(tb testing.TB, standby bool) *pgDeploy {
	tb.Helper()
	var cfg pgtest.Config
	if standby {
		cfg.Settings = map[string]string{"synchronous_standby_names": pgStandbyName, "synchronous_commit": "on"}
	}
	primary, err := pgtest.Start(cfg)
	if err != nil {
		tb.Fatalf("start PostgreSQL: %v", err)
	}
	tb.Cleanup(func() {
		if err := primary.Stop(); err != nil {
			tb.Error(err)
		}
	})
	d := &pgDeploy{primary: primary, key: make([]byte, 32)}
	rand.Read(d.key)
	if standby {
		if d.standby, err = primary.StartStandby(pgStandbyName, pgtest.Config{}); err != nil {
			tb.Fatalf("start the standby: %v", err)
		}
		tb.Cleanup(func() {
			if err := d.standby.Stop(); err != nil {
				tb.Error(err)
			}
		})
		d.waitSync(tb)
	}
	return d
}

// stop stops the standby, if any, and the primary.
func (d *pgDeploy) stop(tb testing.TB) {
	tb.Helper()
	if d.standby != nil {
		if err := d.standby.Stop(); err != nil {
			tb.Error(err)
		}
	}
	if err := d.primary.Stop(); err != nil {
		tb.Error(err)
	}
}

// waitSync waits until the primary names the standby synchronous: before
// that, commits would not wait for it.
func (d *pgDeploy) waitSync(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, d.primary.URL("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	var state string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		err = conn.QueryRow(ctx, "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1", pgStandbyName).Scan(&state)
		if err == nil && state == "sync" {
			return
		}
	}
	tb.Fatalf("the standby does not replicate synchronously: %q, %v", state, err)
}

// stores creates database name and opens n stores on it, each its own
// pool of the size serve uses (pgx's default), as n server nodes would.
func (d *pgDeploy) stores(tb testing.TB, name string, n int) []*postgres.DB {
	tb.Helper()
	ctx := context.Background()
	if err := d.primary.Exec(ctx, "postgres", "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	var dbs []*postgres.DB
	for range n {
		db, err := postgres.Open(ctx, d.primary.URL(name), postgres.Options{EncryptionKey: d.key})
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}

// servers starts n server nodes over a new database holding the demo
// municipality, with one set of server keys (the nodes of a deployment
// share theirs through the database).
func (d *pgDeploy) servers(tb testing.TB, name string, n int) *srvEnv {
	tb.Helper()
	dbs := d.stores(tb, name, n)
	k, err := keys.Generate()
	if err != nil {
		tb.Fatal(err)
	}
	hasher, loc := servertest.Hasher(), servertest.Oslo(tb)
	if err := demo.Seed(context.Background(), dbs[0], hasher, time.Now(), loc); err != nil {
		tb.Fatal(err)
	}
	var ss []store.Store
	for _, db := range dbs {
		ss = append(ss, db)
	}
	return newSrvNodes(tb, ss, loc, hasher, k)
}

// cpu is the CPU time the clusters' processes (primary and standby: the
// postmaster, its backends and its background workers, with what ended
// backends used) have spent so far.
func (d *pgDeploy) cpu(tb testing.TB) time.Duration {
	tb.Helper()
	var total time.Duration
	for _, c := range []*pgtest.Cluster{d.primary, d.standby} {
		if c != nil {
			total += clusterCPU(tb, c)
		}
	}
	return total
}

// clockTicks is the unit of /proc's CPU times (USER_HZ), 100 on Linux.
const clockTicks = 100

// procTimes reads /proc/<pid>/stat: the parent's pid, and the user and
// system time of the process and of its ended children, in clockTicks;
// ok is false when the process has ended since it was listed.
func procTimes(path string) (ppid string, ticks int64, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", 0, false
	}
	// The fields after the command name, which is in parentheses and may
	// hold spaces: state ppid pgrp ... utime(14) stime cutime cstime.
	end := strings.LastIndexByte(string(b), ')')
	if end < 0 {
		return "", 0, false
	}
	f := strings.Fields(string(b[end+1:]))
	if len(f) < 15 {
		return "", 0, false
	}
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "", 0, false
		}
		ticks += n
	}
	return f[1], ticks, true
}

// pidCPU is the CPU time process pid has used so far (zero when it has
// ended).
func pidCPU(pid int) time.Duration {
	_, t, _ := procTimes(fmt.Sprintf("/proc/%d/stat", pid))
	return time.Duration(t) * time.Second / clockTicks
}

// stolen is the time, summed over the machine's processors, that the
// hypervisor gave the processors to other machines (/proc/stat's steal):
// on a shared VM a figure measured while much is stolen is lower for it.
func stolen() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	n, err := strconv.ParseInt(f[8], 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(n) * time.Second / clockTicks
}

// clusterCPU sums, over the cluster's postmaster (its pid is the first
// line of postmaster.pid) and its children, their user and system time
// and that of their ended children, from /proc/<pid>/stat. Every backend
// is the postmaster's child (in a session of its own: the process group
// does not find them).
func clusterCPU(tb testing.TB, c *pgtest.Cluster) time.Duration {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(c.DataDir, "postmaster.pid"))
	if err != nil {
		tb.Fatalf("postmaster.pid: %v", err)
	}
	postmaster := strings.SplitN(string(raw), "\n", 2)[0]
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		tb.Fatal(err)
	}
	var ticks int64
	for _, path := range stats {
		pid := filepath.Base(filepath.Dir(path))
		ppid, t, ok := procTimes(path)
		if ok && (pid == postmaster || ppid == postmaster) {
			ticks += t
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// Ingest on PostgreSQL: BenchmarkSyncIngest's 20 phones × 1,000 notes in
// batches of 100 from the phones' process, through one node or two
// (phones spread over both), with or without the synchronous standby.
// The ceiling, in the same run: the same rows (the probe record as the
// server stored it, under new ids, and its audit entry) written through
// the store's PutRecords without the server, from 20 writers in the same
// transactions of 100 over the same pools, beside the protocol's two
// public-key operations per record.
func BenchmarkPostgresIngest(b *testing.B) {
	for _, nodes := range []int{1, 2} {
		for _, standby := range []bool{false, true} {
			name := fmt.Sprintf("nodes=%d/standby=%s", nodes, map[bool]string{false: "off", true: "on"}[standby])
			b.Run(name, func(b *testing.B) { postgresIngest(b, nodes, standby) })
		}
	}
}

func postgresIngest(b *testing.B, nodes int, standby bool) {
	var rounds []ingestRound
	for b.Loop() {
		rounds = rounds[:0]
		for range ingestRounds() {
			rounds = append(rounds, postgresIngestRound(b, nodes, standby))
		}
	}
	r := reportRounds(b, rounds, "raw")
	b.ReportMetric(r.storeCPU, "postgres-cpu-µs/record")
}

// postgresIngestRound is one round of an ingest on PostgreSQL: a cluster
// of its own, the servers, the fleet, the ingest, and its ceiling.
func postgresIngestRound(b *testing.B, nodes int, standby bool) ingestRound {
	b.StopTimer()
	pg := startPostgres(b, standby)
	e := pg.servers(b, "ingest", nodes)
	phones := srvFleet(b, e, ingestPhones, ingestPer)
	probe, entry := probeRecord(b, e, phones[0])
	for _, p := range phones {
		p.prepare(b, ingestBatch)
	}
	before := measureCrypto(b, e.keys, phones, cryptoRecords)
	work := publicKeyWork(b, e.keys, phones)
	ceiling := pg.stores(b, "ceiling", nodes)
	raw := pg.stores(b, "raw", nodes)
	b.StartTimer()

	r := deliverIngest(b, e, phones, func() time.Duration { return pg.cpu(b) }, func(from, to int) {
		rawPostgresWrites(b, ceiling, probe, entry, ingestPhones, from, to, ingestBatch, work)
	})
	total := ingestPhones * ingestPer
	if n, err := ceiling[0].CountRecords(context.Background()); err != nil || n != total {
		b.Fatalf("the ceiling's writes stored %d of %d (%v)", n, total, err)
	}

	cpu0, pg0 := processCPU(), pg.cpu(b)
	start := time.Now()
	rawPostgresWrites(b, raw, probe, entry, ingestPhones, 0, ingestPer, ingestBatch, nil)
	r.rawRate = float64(total) / time.Since(start).Seconds()
	r.rawCPU = perRecord(processCPU()-cpu0+pg.cpu(b)-pg0, total)
	if n, err := raw[0].CountRecords(context.Background()); err != nil || n != total {
		b.Fatalf("the raw writes stored %d of %d (%v)", n, total, err)
	}
	// As on Badger: the faster of the two timings of the public-key
	// work counts.
	r.crypto = faster(before, measureCrypto(b, e.keys, phones, cryptoRecords))
	// The round's nodes and clusters end with it, so that the next round
	// runs beside none of them.
	for _, hs := range e.nodes {
		hs.Close()
	}
	pg.stop(b)
	return r
}

// rawPostgresWrites writes, from writers goroutines spread over the
// stores, each writer's records from to to (not included) in
// transactions of batch through PutRecords: copies of the probe record
// under new ids, each with its audit entry, as the server's ingest puts
// them. work, when given, is done on each batch's records first (see
// writeBatches).
func rawPostgresWrites(tb testing.TB, dbs []*postgres.DB, probe store.StoredRecord, entry store.AuditEntry, writers, from, to, batch int, work func(w, from, to int) error) {
	tb.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			db := dbs[w%len(dbs)]
			device := uuid.NewString()
			err := writeBatches(from, to, batch, work, w, func(lo, hi int) error {
				var recs []store.StoredRecord
				var audit []store.Audit
				for i := lo; i < hi; i++ {
					r := probe
					r.ID = uuid.Must(uuid.NewV7()).String()
					r.DeviceID, r.Seq, r.Received = device, uint64(i+1), time.Now().UTC()
					r.BodyHash = fmt.Sprintf("%0*x", len(probe.BodyHash), w<<32|i)
					recs = append(recs, r)
					audit = append(audit, store.Audit{Actor: entry.Actor, Action: entry.Action, Subject: r.ID, Detail: entry.Detail})
				}
				if err := db.PutRecords(ctx, recs, audit); err != nil {
					return fmt.Errorf("raw writes: %w", err)
				}
				return nil
			})
			if err != nil {
				errs <- err
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

func BenchmarkPostgresRestoreSurge(b *testing.B) {
	restoreSurge(b, func(tb testing.TB) *srvEnv {
		return startPostgres(tb, true).servers(tb, "surge", 2)
	})
}
