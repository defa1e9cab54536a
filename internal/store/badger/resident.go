package badger

import (
	"time"
)

// Badger reads its table and value-log files through memory maps, so a
// read of the whole store (the desk's build at start, an export of every
// record) leaves every page of those files mapped into the server: the
// kernel counts them as the server's resident memory until it wants the
// memory for something else. At a million records that is two gigabytes
// of a process whose heap is a fifth of it, which an operator's
// monitoring (and a container's limit) reads as the server's size.
//
// The store keeps those pages to about mappedBudget: every mappedEvery
// it reads how much file-backed memory the process has resident, and
// once that has grown by more than the budget it asks the kernel to take
// back the resident pages of the store's files (see releaseMapped). What
// reads them again finds them in the page cache, or on disk.
const (
	mappedBudget = 16 << 20
	mappedEvery  = 100 * time.Millisecond
)

// trimMapped runs while the store is open (until watchStop closes).
func (db *DB) trimMapped(every time.Duration, budget int64) {
	defer close(db.trimDone)
	// What opening the store read (every table's index and filter)
	// goes first.
	releaseMapped(db.space.dir)
	base, ok := fileResident()
	if !ok {
		return // not measurable here (not Linux): nothing to keep down
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-db.watchStop:
			return
		case <-t.C:
		}
		now, ok := fileResident()
		if !ok || now-base <= budget {
			continue
		}
		releaseMapped(db.space.dir)
		// What stays (the program's own pages, the pages of files other
		// than the store's) is the new base, so that the next release
		// waits for the store to grow by the budget again.
		if base, ok = fileResident(); !ok {
			return
		}
	}
}
