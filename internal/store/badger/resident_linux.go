//go:build linux

package badger

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// fileResident is the process's resident memory backed by files (and
// shared memory), in bytes: the third field of /proc/self/statm, which
// the kernel keeps as a counter, so reading it costs one small read.
func fileResident() (int64, bool) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return 0, false
	}
	pages, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * int64(os.Getpagesize()), true
}

// releaseMapped asks the kernel to reclaim the resident pages of every
// mapping of a table (.sst) or value-log (.vlog) file in dir, as listed in
// /proc/self/maps.
//
// MADV_PAGEOUT is advice about residency only, never about content,
// which is what makes it safe beside a store that maps and unmaps files
// on its own goroutines: a range unmapped since the list was read fails
// the call or holds other memory, whose content the advice does not
// change either (anonymous memory without swap stays where it is); a
// dirty page of a mapped file is written back or left resident, never
// dropped. MADV_DONTNEED would free the pages without reclaim, but on a
// range that meanwhile holds anonymous memory it would zero it.
// Kernels before 5.4 do not know MADV_PAGEOUT: the calls then fail and
// change nothing.
func releaseMapped(dir string) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	type span struct{ start, end uintptr }
	var spans []span
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if s, e, ok := storeMapping(sc.Text(), abs); ok {
			spans = append(spans, span{s, e})
		}
	}
	f.Close()
	for _, s := range spans {
		// A raw call: unix.Madvise takes a slice, and a slice over
		// memory the Go runtime did not allocate is not a thing to make.
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, s.start, s.end-s.start, unix.MADV_PAGEOUT)
	}
}

// storeMapping reads one line of /proc/self/maps ("start-end perms offset
// dev inode path") and says whether it maps a table or value-log file
// directly in dir.
func storeMapping(line, dir string) (start, end uintptr, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 {
		return 0, 0, false
	}
	path := strings.Join(fields[5:], " ")
	if filepath.Dir(path) != dir || (!strings.HasSuffix(path, ".sst") && !strings.HasSuffix(path, ".vlog")) {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
