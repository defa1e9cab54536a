package arena

import (
	"bytes"
	"testing"
)

// TestBytes: the slices an arena gives out do not overlap, each has room
// for no more than was asked (an append to one makes a copy), and after
// a reset the arena gives out the same bytes again.
func TestBytes(t *testing.T) {
	var a Bytes
	sizes := []int{0, 1, 100, Chunk - 200, 300, Chunk, Chunk + 1, 5, 64 << 10}
	var got [][]byte
	for i, n := range sizes {
		b := a.Alloc(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("Alloc(%d): len %d cap %d", n, len(b), cap(b))
		}
		for j := range b {
			b[j] = byte(i + 1)
		}
		got = append(got, b)
	}
	for i, b := range got {
		if !bytes.Equal(b, bytes.Repeat([]byte{byte(i + 1)}, sizes[i])) {
			t.Fatalf("slice %d (%d bytes) was written over", i, sizes[i])
		}
	}
	kept := a.Keep([]byte("kept"))
	if string(kept) != "kept" || cap(kept) != 4 {
		t.Fatalf("Keep: %q, cap %d", kept, cap(kept))
	}
	chunks := len(a.chunks)
	a.Reset()
	for _, n := range sizes {
		a.Alloc(n)
	}
	a.Keep([]byte("kept"))
	if len(a.chunks) != chunks {
		t.Fatalf("%d chunks after a reset and the same allocations, %d before", len(a.chunks), chunks)
	}
}
