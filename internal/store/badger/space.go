package badger

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"beredskap/internal/store"
)

// DefaultMinFreeMB is the free space, in MiB, below which bulk writes
// (records, plans, reconciliation, routines, users) are refused.
//
// Badger writes its write-ahead log and its tables through memory maps of
// files it has extended with ftruncate, which leaves them sparse: the
// blocks are claimed only when a mapped page is first written, and when
// the disk has none left the kernel answers with SIGBUS, which kills the
// process. The guard must therefore leave room for everything Badger can
// still write by itself after the last write it was given (the options
// in Open):
//
//   - the rest of the current memtable's log: MemTableSize (32 MiB, 64 MiB
//     before; the reserve still counts 64) plus one batch (15 % of it);
//   - the flush of that memtable into a level-0 table, written while its
//     log still exists: at most about 64 MiB;
//   - the level-0 to level-1 compaction that flush may start, which writes
//     its output before it deletes its input: NumLevelZeroTables (5)
//     tables of up to 64 MiB and level 1 (BaseLevelSize, 10 MiB);
//   - the DISCARD file (1 MiB), the value log's header page (values up to
//     1 MiB stay in the LSM tree, so the 2 GiB mapping of the value log is
//     never written beyond it) and a rewritten MANIFEST: under 2 MiB.
//
// That is about 470 MiB: the hard floor, below which no write at all is
// taken, is two thirds of the reserve (512 MiB by default). The third on
// top is room for what is admitted at once (each bulk write counts its
// body while it is in flight) and for logins, which keep working between
// the two.
const DefaultMinFreeMB = 768

// writeReserveSlack is what a bulk write is assumed to add beyond its
// body: index keys, the audit entry, Badger's framing.
const writeReserveSlack = 64 << 10

// space watches the free space of the store's filesystem.
type space struct {
	dir        string
	soft, hard uint64
	free       func(string) (uint64, error)
	// inflight is what admitted bulk writes may still add to the disk.
	inflight atomic.Int64
	log      *slog.Logger

	mu       sync.Mutex
	lastBulk bool // under mu: the state last logged
}

func newSpace(dir string, o Options) *space {
	soft := o.MinFree
	if soft == 0 {
		soft = DefaultMinFreeMB << 20
	}
	free := o.FreeSpace
	if free == nil {
		free = freeBytes
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &space{dir: dir, soft: soft, hard: soft / 3 * 2, free: free, log: log, lastBulk: true}
}

// canOpenWritable reports whether Badger may be opened for writes: opening
// creates a new log and flushes the logs left by the last run, all through
// memory maps.
func (s *space) canOpenWritable() (bool, uint64) {
	free, err := s.free(s.dir)
	if err != nil {
		return true, 0 // cannot tell: as before the guard existed
	}
	return free >= s.hard+pendingWAL(s.dir), free
}

// canClose reports whether closing (which flushes the memtable into a
// table written through a memory map) has the room it needs.
func (s *space) canClose() (bool, uint64, uint64) {
	free, err := s.free(s.dir)
	if err != nil {
		return true, 0, 0
	}
	need := pendingWAL(s.dir)
	need += need/10 + 1<<20
	return free >= need, free, need
}

func mib(b uint64) uint64 { return b >> 20 }

// state measures the disk now and says what is taken in mode.
func (s *space) state(mode store.Mode) store.Storage {
	st := store.Storage{Mode: mode, MinFreeBytes: s.soft, HardFreeBytes: s.hard}
	free, err := s.free(s.dir)
	if err == nil {
		st.FreeBytes, st.Measured = free, true
	}
	inflight := uint64(max(s.inflight.Load(), 0))
	switch {
	case mode == store.ModeReadOnly:
		st.Reason = fmt.Sprintf("the disk was full when the server started (%d MiB free): the store is open read-only and takes writes again once %d MiB are free", mib(free), mib(s.hard))
	case mode == store.ModeUnavailable:
		st.Reason = fmt.Sprintf("the disk was full when the server started (%d MiB free) and the store, whose write-ahead log needs replaying, cannot be opened read-only: it opens once %d MiB are free", mib(free), mib(s.hard))
	case !st.Measured:
		st.BulkWrites, st.SmallWrites = true, true
	case free < s.hard:
		st.Reason = fmt.Sprintf("only %d MiB free on the store's disk, below the %d MiB the database needs for itself: no writes are taken until space is freed", mib(free), mib(s.hard))
	case free < s.soft+inflight:
		st.SmallWrites = true
		st.Reason = fmt.Sprintf("only %d MiB free on the store's disk, below the reserve of %d MiB (--min-free-mb): records and other changes are refused until space is freed; logins still work", mib(free), mib(s.soft))
	default:
		st.BulkWrites, st.SmallWrites = true, true
	}
	return st
}

// noteChange logs when bulk writes stop or start again, once each time
// (called by the poll, so that writes in flight near the reserve do not
// make the log flap).
func (s *space) noteChange(st store.Storage) {
	s.mu.Lock()
	changed := s.lastBulk != st.BulkWrites
	s.lastBulk = st.BulkWrites
	s.mu.Unlock()
	switch {
	case changed && !st.BulkWrites:
		s.log.Warn("writes refused", "reason", st.Reason, "free_mib", mib(st.FreeBytes))
	case changed:
		s.log.Info("writes taken again", "free_mib", mib(st.FreeBytes), "min_free_mib", mib(s.soft))
	}
}

// refused wraps ErrInsufficientStorage with the state's reason.
func refused(st store.Storage) error {
	return fmt.Errorf("%w: %s", store.ErrInsufficientStorage, st.Reason)
}

// Storage measures the disk and says which writes the store takes now.
func (db *DB) Storage() store.Storage {
	db.openMu.RLock()
	mode := db.mode
	db.openMu.RUnlock()
	return db.space.state(mode)
}

// ReserveWrite admits a bulk write that adds about n bytes: it is refused
// with ErrInsufficientStorage when the disk, less what other admitted
// writes may still add, would fall below the reserve. release must be
// called when the write is done (its bytes are then on the disk, counted
// by the filesystem).
func (db *DB) ReserveWrite(n int64) (release func(), err error) {
	n = max(n, 0) + writeReserveSlack
	db.space.inflight.Add(n)
	undo := func() { db.space.inflight.Add(-n) }
	st := db.Storage()
	if !st.BulkWrites {
		undo()
		return nil, refused(st)
	}
	return sync.OnceFunc(undo), nil
}

// writable is checked under openMu before every write transaction: the
// hard floor holds for every write, whatever route it came by.
func (db *DB) writable() error {
	if db.mode != store.ModeReadWrite {
		return refused(db.space.state(db.mode))
	}
	free, err := db.space.free(db.space.dir)
	if err != nil || free >= db.space.hard {
		return nil
	}
	return refused(db.space.state(db.mode))
}

// watch polls the disk while the store is open: it logs when writes stop
// and start, and reopens a store opened read-only (or not at all) on a
// full disk once there is room to open it for writes.
func (db *DB) watch(every time.Duration) {
	defer close(db.watchDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.watchStop:
			return
		case <-t.C:
		}
		db.openMu.RLock()
		mode := db.mode
		db.openMu.RUnlock()
		db.space.noteChange(db.space.state(mode))
		if mode != store.ModeReadWrite {
			if ok, _ := db.space.canOpenWritable(); ok {
				db.reopenWritable()
			}
			continue
		}
		db.finishPendingPlans()
	}
}

// reopenWritable swaps the read-only store for a writable one. Requests
// wait meanwhile (openMu): every transaction holds its read lock.
func (db *DB) reopenWritable() {
	db.openMu.Lock()
	defer db.openMu.Unlock()
	if db.mode == store.ModeReadWrite || db.shut {
		return
	}
	if db.bdb != nil {
		if err := db.bdb.Close(); err != nil {
			db.space.log.Error("close read-only store", "err", err)
		}
		db.bdb = nil
		db.mode = store.ModeUnavailable
	}
	if err := db.clearCrashLeft(); err != nil {
		db.space.log.Error("reopen store for writes", "err", err)
		return
	}
	bdb, err := badger.Open(db.opts)
	if err != nil {
		db.space.log.Error("reopen store for writes", "err", err)
		if ro, rerr := badger.Open(db.opts.WithReadOnly(true)); rerr == nil {
			db.bdb, db.mode = ro, store.ModeReadOnly
		}
		return
	}
	// A store opened read-only (or not at all) was not migrated: it is
	// now, before any request writes to it.
	if err := migrate(bdb); err != nil {
		db.space.log.Error("the store reopened for writes cannot be brought to this program's schema; it stays closed", "err", err)
		bdb.Close()
		db.bdb, db.mode, db.shut = nil, store.ModeUnavailable, errors.Is(err, store.ErrSchemaTooNew)
		return
	}
	db.bdb, db.mode = bdb, store.ModeReadWrite
	db.space.log.Info("store reopened for writes: there is disk space again")
}
