package durable

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// leftovers lists the files in dir other than the ones named.
func leftovers(t *testing.T, dir string, want ...string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, e := range entries {
		found := false
		for _, w := range want {
			found = found || e.Name() == w
		}
		if !found {
			extra = append(extra, e.Name())
		}
	}
	return extra
}

func TestWriteFileModeAndContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		perm fs.FileMode
		old  bool
	}{
		{"new 0600", 0o600, false},
		{"new 0644", 0o644, false},
		{"replace 0600", 0o600, true},
		{"replace 0640 over 0644", 0o640, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "keys.json")
			if tc.old {
				if err := os.WriteFile(path, []byte("old and longer than the new"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFile(path, []byte("new"), tc.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new" {
				t.Fatalf("content %q, %v", got, err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tc.perm {
				t.Fatalf("mode %v, want %v", fi.Mode().Perm(), tc.perm)
			}
			if extra := leftovers(t, dir, "keys.json"); len(extra) > 0 {
				t.Fatalf("left behind: %v", extra)
			}
		})
	}
}

// failingReader gives some bytes, then an error: a backup whose source
// fails half-way.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("the source failed")
	}
	n := min(len(p), r.n)
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.n -= n
	return n, nil
}

func TestAbortLeavesTargetAndNoTemp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		create func(string, fs.FileMode) (*File, error)
		old    []byte
	}{
		{"Create over an old file", Create, []byte("the old backup")},
		{"Create without a file", Create, nil},
		{"CreateNew", CreateNew, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.pdf")
			if tc.old != nil {
				if err := os.WriteFile(path, tc.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := tc.create(path, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.Copy(f, &failingReader{n: 100 << 10}); err == nil {
				t.Fatal("the copy did not fail")
			}
			f.Abort()
			if err := f.Close(); err != nil {
				t.Fatalf("close after abort: %v", err)
			}
			got, err := os.ReadFile(path)
			switch {
			case tc.old == nil && !errors.Is(err, fs.ErrNotExist):
				t.Fatalf("a half-written file is at the target: %d bytes, %v", len(got), err)
			case tc.old != nil && !bytes.Equal(got, tc.old):
				t.Fatalf("target changed: %q, %v", got, err)
			}
			if extra := leftovers(t, dir, "out.pdf"); len(extra) > 0 {
				t.Fatalf("left behind: %v", extra)
			}
		})
	}
}

func TestCloseFailureLeavesTargetAndNoTemp(t *testing.T) {
	t.Run("the rename fails", func(t *testing.T) {
		// A non-empty directory at the target: the rename cannot replace
		// it, whoever runs the test (a read-only directory does not stop
		// root).
		dir := t.TempDir()
		path := filepath.Join(dir, "target")
		if err := os.MkdirAll(filepath.Join(path, "inside"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, []byte("new"), 0o600); err == nil {
			t.Fatal("WriteFile over a directory succeeded")
		}
		if fi, err := os.Stat(filepath.Join(path, "inside")); err != nil || !fi.IsDir() {
			t.Fatalf("target changed: %v", err)
		}
		if extra := leftovers(t, dir, "target"); len(extra) > 0 {
			t.Fatalf("left behind: %v", extra)
		}
	})
	t.Run("CreateNew and a file made meanwhile", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "backup.age")
		f, err := CreateNew(path, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("the new backup")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("someone else's"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); !errors.Is(err, fs.ErrExist) {
			t.Fatalf("close: %v, want fs.ErrExist", err)
		}
		if got, _ := os.ReadFile(path); string(got) != "someone else's" {
			t.Fatalf("the other file was replaced: %q", got)
		}
		if extra := leftovers(t, dir, "backup.age"); len(extra) > 0 {
			t.Fatalf("left behind: %v", extra)
		}
		if _, err := CreateNew(path, 0o600); !errors.Is(err, fs.ErrExist) {
			t.Fatalf("CreateNew over a file: %v", err)
		}
	})
	t.Run("the directory is gone", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "missing")
		if err := WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o600); err == nil {
			t.Fatal("WriteFile into a missing directory succeeded")
		}
	})
}

func TestCreateNewWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "backup.age")
	f, err := CreateNew(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, io.LimitReader(&failingReader{n: 1 << 20}, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != 1<<20 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", fi, err)
	}
	if extra := leftovers(t, dir, "backup.age"); len(extra) > 0 {
		t.Fatalf("left behind: %v", extra)
	}
}

func TestSyncTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"000001.vlog", "sub/MANIFEST"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("000001.vlog", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := SyncTree(dir); err != nil {
		t.Fatalf("sync a store's tree: %v", err)
	}
	if err := SyncTree(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("sync a missing tree: %v, want fs.ErrNotExist", err)
	}
}
