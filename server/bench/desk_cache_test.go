package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// deskCacheDays is how long a cached seed is used. The seed's times are
// relative to the day it was made; the open outage keeps them all in the
// desk's window, but reconciled records come near the retention period
// (30 days) that the server purges after.
const deskCacheDays = 7

// deskDataDir is a data directory with n seeded records for one run. With
// BENCH_DESK_CACHE naming a directory (make bench passes .build/bench/desk)
// a seed is kept there and later runs copy it instead of seeding again,
// for as long as nothing it depends on has changed: the seed's code, the
// store's code and the module's dependencies (a hash of those files names
// it) and for deskCacheDays at most. The server always runs on a copy.
func deskDataDir(tb testing.TB, n int) *deskData {
	tb.Helper()
	cache := os.Getenv("BENCH_DESK_CACHE")
	if cache == "" {
		return seedDesk(tb, n)
	}
	key, err := deskSeedKey(n)
	if err != nil {
		tb.Fatalf("BENCH_DESK_CACHE: %v", err)
	}
	entry := filepath.Join(cache, fmt.Sprintf("records=%d-%s", n, key))
	meta := filepath.Join(entry, "seed.json")
	var m deskMeta
	if raw, err := os.ReadFile(meta); err == nil && json.Unmarshal(raw, &m) == nil && time.Since(m.Made) < deskCacheDays*24*time.Hour {
		start := time.Now()
		dir := tb.TempDir()
		if out, err := exec.Command("cp", "-a", "--reflink=auto", filepath.Join(entry, "data")+"/.", dir).CombinedOutput(); err != nil {
			tb.Fatalf("copy the cached seed: %v\n%s", err, out)
		}
		return &deskData{dir: dir, records: n, took: m.Took, counts: m.Counts, phases: m.Phases, copied: max(time.Since(start), time.Millisecond)}
	}
	d := seedDesk(tb, n)
	// Older seeds of this size go: one per size is kept.
	old, _ := filepath.Glob(filepath.Join(cache, fmt.Sprintf("records=%d-*", n)))
	for _, o := range old {
		os.RemoveAll(o)
	}
	if err := os.MkdirAll(entry, 0o700); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", "--reflink=auto", d.dir, filepath.Join(entry, "data")).CombinedOutput(); err != nil {
		os.RemoveAll(entry)
		tb.Fatalf("cache the seed: %v\n%s", err, out)
	}
	raw, err := json.Marshal(deskMeta{Made: time.Now(), Took: d.took, Counts: d.counts, Phases: d.phases})
	if err != nil {
		tb.Fatal(err)
	}
	// The metadata last: an entry without it is never used.
	if err := os.WriteFile(meta, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return d
}

// deskMeta describes a cached seed.
type deskMeta struct {
	Made   time.Time      `json:"made"`
	Took   time.Duration  `json:"took"`
	Counts map[string]int `json:"counts"`
	Phases []string       `json:"phases"`
}

// deskSeedKey hashes what a seed depends on: its size, this package's seed
// code, the store's code (contract and Badger implementation, tests left
// out) and go.sum.
func deskSeedKey(n int) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root := filepath.Dir(filepath.Dir(wd))
	files := []string{filepath.Join(wd, "desk_seed_test.go"), filepath.Join(root, "go.sum")}
	for _, dir := range []string{"internal/store", "internal/store/badger", "internal/care", "internal/demo"} {
		m, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			return "", err
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "records=%d\n", n)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", strings.TrimPrefix(f, root), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
