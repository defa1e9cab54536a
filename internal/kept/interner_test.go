package kept

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestInternerNumbersEachStringOnce: every string gets one number, the
// same each time, and the number gives the string back; canonical UUIDs
// and other strings (an id in upper case is another string) are kept
// apart, across the growth of the UUID table; a string never numbered
// is not found.
func TestInternerNumbersEachStringOnce(t *testing.T) {
	in := newInterner()
	var all []string
	for i := range 5000 {
		u := uuid.New().String()
		all = append(all, u)
		switch i % 7 {
		case 0:
			all = append(all, strings.ToUpper(u)) // not canonical: another string
		case 1:
			all = append(all, fmt.Sprintf("medication %d", i))
		}
	}
	all = append(all, "", "new", "00000000-0000-0000-0000-000000000000")
	want := map[string]uint32{}
	for round := range 2 {
		for _, s := range all {
			n := in.of(s)
			if prev, ok := want[s]; ok && prev != n {
				t.Fatalf("round %d: %q numbered %d, before %d", round, s, n, prev)
			}
			want[s] = n
			if got := in.str(n); got != s {
				t.Fatalf("number %d gives %q, want %q", n, got, s)
			}
			if got, ok := in.lookup(s); !ok || got != n {
				t.Fatalf("lookup(%q) = %d, %v; want %d", s, got, ok, n)
			}
		}
	}
	seen := map[uint32]string{}
	for s, n := range want {
		if other, ok := seen[n]; ok {
			t.Fatalf("%q and %q share number %d", s, other, n)
		}
		seen[n] = s
		if _, isUUID := canonical(s); isUUID != (n&uuidBit != 0) {
			t.Fatalf("%q: canonical %v, number %#x", s, isUUID, n)
		}
	}
	if n := in.of(""); n != 0 {
		t.Fatalf("the empty string is %d, want 0", n)
	}
	for _, s := range []string{uuid.New().String(), "never", strings.ToUpper(uuid.New().String())} {
		if n, ok := in.lookup(s); ok {
			t.Fatalf("lookup(%q) found %d", s, n)
		}
	}
	if load := float64(len(in.uuids)) / float64(len(in.slots)); load > 0.75 {
		t.Fatalf("the UUID table is %.0f %% full", 100*load)
	}
}
