package badger

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"beredskap/internal/durable"
)

// removeEmptyLogs removes the empty write-ahead (.mem) and value log
// (.vlog) files a process killed while creating one leaves in dir, and
// returns their names.
//
// Badger creates such a file first and sizes it after, so a kill between
// the two leaves it at zero bytes. Badger (v4.9.6, its issue 2207) then
// refuses to open the directory at all: the server could not start again
// after a crash. An empty file holds nothing, not even the header every
// log begins with, so no acknowledged write is in it, and Badger makes a
// fresh one in its place.
func removeEmptyLogs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".mem") || strings.HasSuffix(name, ".vlog")) {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("stat %s: %w", name, err)
		}
		if info.Size() != 0 {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove the empty log %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	if len(removed) > 0 {
		if err := durable.SyncDir(dir); err != nil {
			return removed, fmt.Errorf("sync %s: %w", dir, err)
		}
	}
	return removed, nil
}

// clearCrashLeft removes, before Badger opens the store, the empty logs a
// crash left (see removeEmptyLogs), and says so in the log.
func (db *DB) clearCrashLeft() error {
	removed, err := removeEmptyLogs(db.opts.Dir)
	for _, name := range removed {
		db.space.log.Warn("removed an empty log file a crash left while creating it", "file", name)
	}
	return err
}
