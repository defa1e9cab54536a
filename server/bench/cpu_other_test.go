//go:build !unix

package bench

import "time"

// processCPU is not measured where getrusage is missing; the CPU figures
// then read 0.
func processCPU() time.Duration { return 0 }
