// Package arena hands out byte slices from chunks kept from one use to
// the next: the stores' walks copy a page of values into it, and open or
// decode the page's bodies into another, so that a walk of a million
// records does not make a million small slices of garbage.
package arena

// Chunk is the size of the pieces an arena holds its bytes in: a walk's
// page of bodies takes a few of them (a medication record's body is a
// few kilobytes).
const Chunk = 256 << 10

// Bytes hands out byte slices from chunks it keeps until Reset. A slice
// larger than a chunk is made on its own and not kept. The zero value is
// an empty arena. It is not safe for use by several goroutines at once.
type Bytes struct {
	chunks [][]byte
	cur    int // the chunk being filled
}

// Alloc gives out n bytes, with room for no more (an append to them
// makes a copy).
func (a *Bytes) Alloc(n int) []byte {
	if n > Chunk {
		return make([]byte, n)
	}
	for ; a.cur < len(a.chunks); a.cur++ {
		if c := a.chunks[a.cur]; cap(c)-len(c) >= n {
			a.chunks[a.cur] = c[:len(c)+n]
			return c[len(c) : len(c)+n : len(c)+n]
		}
	}
	a.chunks = append(a.chunks, make([]byte, n, Chunk))
	return a.chunks[a.cur][:n:n]
}

// Keep copies v into the arena.
func (a *Bytes) Keep(v []byte) []byte {
	out := a.Alloc(len(v))
	copy(out, v)
	return out
}

// Reset makes the arena's bytes free again: every slice Alloc and Keep
// gave out before is overwritten by what follows.
func (a *Bytes) Reset() {
	for i := range a.chunks {
		a.chunks[i] = a.chunks[i][:0]
	}
	a.cur = 0
}
