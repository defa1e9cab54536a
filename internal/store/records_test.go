package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"beredskap/internal/care"
)

func TestDeviceSeqIndex(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, t.TempDir())
	defer db.Close()
	now := time.Now().UTC()
	put := func(id, device string, seq uint64) {
		t.Helper()
		r := StoredRecord{ID: id, Type: care.RecordNote, DeviceID: device, AuthorID: "u1", PatientID: "p1", UnitID: "n",
			Seq: seq, CreatedAt: now, Received: now, State: StateNew, BodyHash: id, Body: []byte(id), Sig: []byte("s")}
		if err := db.PutRecords(ctx, []StoredRecord{r}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// dev1 sent 1, 2, 3, 3, 3, 10 and 1<<40 twice; dev2 sent 3 once.
	put("a", "dev1", 1)
	put("b", "dev1", 2)
	put("c3", "dev1", 3)
	put("a3", "dev1", 3)
	put("b3", "dev1", 3)
	put("x", "dev1", 10)
	put("big1", "dev1", 1<<40)
	put("big2", "dev1", 1<<40)
	put("other", "dev2", 3)

	seqs, shared, err := db.DeviceSeqIndex(ctx, "dev1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{1, 2, 3, 3, 3, 10, 1 << 40, 1 << 40}; !slices.Equal(seqs, want) {
		t.Fatalf("seqs %v, want %v", seqs, want)
	}
	if got := fmt.Sprint(shared); got != fmt.Sprintf("map[3:[a3 b3 c3] %d:[big1 big2]]", uint64(1)<<40) {
		t.Fatalf("shared %s", got)
	}
	if old, err := db.DeviceSeqs(ctx, "dev1"); err != nil || !slices.Equal(old, seqs) {
		t.Fatalf("DeviceSeqs %v, %v", old, err)
	}
	if seqs, shared, err := db.DeviceSeqIndex(ctx, "dev2"); err != nil || !slices.Equal(seqs, []uint64{3}) || len(shared) != 0 {
		t.Fatalf("dev2: %v %v %v", seqs, shared, err)
	}
	if seqs, shared, err := db.DeviceSeqIndex(ctx, "nobody"); err != nil || len(seqs) != 0 || len(shared) != 0 {
		t.Fatalf("unknown device: %v %v %v", seqs, shared, err)
	}
}
