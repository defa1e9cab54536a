package kept

import (
	"container/heap"
	"time"
)

// deadlines holds, for each patient, the next time its findings change
// by time alone, and gives back those whose time has come. A patient's
// earlier deadline is dropped when it gets a new one.
type deadlines struct {
	h    deadlineHeap
	next map[uint32]time.Time
}

type deadline struct {
	at      time.Time
	patient uint32
}

type deadlineHeap []deadline

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)        { *h = append(*h, x.(deadline)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// set makes t the patient's next deadline; zero means none.
func (d *deadlines) set(patient uint32, t time.Time) {
	if d.next == nil {
		d.next = map[uint32]time.Time{}
	}
	if t.IsZero() {
		delete(d.next, patient)
		return
	}
	if cur, ok := d.next[patient]; ok && cur.Equal(t) {
		return
	}
	d.next[patient] = t
	heap.Push(&d.h, deadline{t, patient})
}

// due takes out the patients whose deadline is at or before now.
func (d *deadlines) due(now time.Time) []uint32 {
	var out []uint32
	for d.h.Len() > 0 && !d.h[0].at.After(now) {
		x := heap.Pop(&d.h).(deadline)
		if cur, ok := d.next[x.patient]; ok && cur.Equal(x.at) {
			delete(d.next, x.patient)
			out = append(out, x.patient)
		}
	}
	return out
}
