//go:build !linux

package badger

// Elsewhere than on Linux the store's mapped pages are left to the
// kernel: there is no cheap counter to watch them by.
func fileResident() (int64, bool) { return 0, false }

func releaseMapped(string) {}
