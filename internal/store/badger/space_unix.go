//go:build unix

package badger

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// freeBytes is the space an unprivileged writer may still use on the
// filesystem that holds dir (statfs f_bavail), asked of the nearest
// directory that exists, so that a store not created yet can be measured.
func freeBytes(dir string) (uint64, error) {
	for {
		var st unix.Statfs_t
		err := unix.Statfs(dir, &st)
		if err == nil {
			return st.Bavail * uint64(st.Bsize), nil
		}
		parent := filepath.Dir(dir)
		if !errors.Is(err, unix.ENOENT) || parent == dir {
			return 0, err
		}
		dir = parent
	}
}

// pendingWAL is the disk space Badger's write-ahead logs (the *.mem files)
// really occupy: they are sparse, so their size says nothing, their
// allocated blocks do. Opening for writes or closing flushes each of them
// into a table of about that size, written through a memory map.
func pendingWAL(dir string) uint64 {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	var n uint64
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".mem") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		n += allocated(fi)
	}
	return n
}

func allocated(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Blocks > 0 {
		return uint64(st.Blocks) * 512
	}
	return uint64(max(fi.Size(), 0))
}
