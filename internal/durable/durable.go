// Package durable writes files so that a crash or a full disk never
// leaves half of one behind: the bytes go to a temporary file in the
// target's directory, which is synced, renamed over the target, and the
// directory is synced so that the rename itself survives a power cut.
// The target is either the old file (or none) or the whole new one.
package durable

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to path durably and atomically, replacing what is
// there, with mode perm.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// File is a file being written in the place of path. Close puts it there;
// Abort, or any failure, removes it and leaves path as it was.
type File struct {
	*os.File
	path      string
	perm      fs.FileMode
	noReplace bool
	done      bool
}

// Create starts writing path, which Close replaces if it exists. For
// outputs too large to hold in memory (backups, binders).
func Create(path string, perm fs.FileMode) (*File, error) {
	return create(path, perm, false)
}

// CreateNew is Create for a path that must not exist: it fails at once,
// and Close fails without touching it, when it does (an error wrapping
// fs.ErrExist). A backup never overwrites another file.
func CreateNew(path string, perm fs.FileMode) (*File, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("create %s: %w", path, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return create(path, perm, true)
}

func create(path string, perm fs.FileMode, noReplace bool) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &File{File: tmp, path: path, perm: perm, noReplace: noReplace}, nil
}

// Close syncs the file, sets its mode, puts it at its path and syncs the
// directory. On any error the temporary file is gone and the path holds
// what it held before. Close after Close or Abort does nothing.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	tmp := f.File.Name()
	err := f.File.Chmod(f.perm)
	if err == nil {
		err = f.File.Sync()
	}
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = f.place(tmp)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	if err := SyncDir(filepath.Dir(f.path)); err != nil {
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	return nil
}

// place moves the finished temporary file to the path: a rename, or for
// CreateNew a hard link, which (unlike a rename) fails when the path
// exists, so that a file made meanwhile is never replaced. A file system
// without hard links (a FAT memory stick) gets a check and a rename.
func (f *File) place(tmp string) error {
	if !f.noReplace {
		return os.Rename(tmp, f.path)
	}
	err := os.Link(tmp, f.path)
	if errors.Is(err, fs.ErrExist) {
		return err
	}
	if err != nil {
		if _, lerr := os.Lstat(f.path); lerr == nil {
			return fs.ErrExist
		}
		return os.Rename(tmp, f.path)
	}
	return os.Remove(tmp)
}

// Abort drops what was written; the path keeps what it held.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

// SyncDir syncs a directory, so that the files created, renamed or
// removed in it stay so after a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// SyncTree syncs every file and directory under dir, dir itself and the
// directory that holds it: after a restore, so that the restored store
// is on disk before anyone is told it is there.
func SyncTree(dir string) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return SyncDir(filepath.Dir(dir))
}
