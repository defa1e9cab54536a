package store

import (
	"testing"
	"time"
)

// TestHashAuditEntryIsStable: the chain's hash of a fixed entry is the
// one the Badger store computed before the hash moved here (taken from
// its hashEntry of then). A change to the function that changes this
// value makes every stored chain fail to verify.
func TestHashAuditEntryIsStable(t *testing.T) {
	e := AuditEntry{Seq: 7, Time: time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.FixedZone("CET", 3600)),
		Actor: "kari", Action: AuditReconcile, Subject: "r1", Detail: `action=entered ehr_ref="EPJ-1"`, Prev: "ab12"}
	const want = "11d0864d37e46558051851143ff6b13150572595ee47b3b4b9ff5467fba03401"
	if got := HashAuditEntry(e); got != want {
		t.Fatalf("hash %s, want %s", got, want)
	}
	e.Hash = "anything"
	if got := HashAuditEntry(e); got != want {
		t.Fatal("the entry's own hash field changes its hash")
	}
	e.Prev = "ab13"
	if HashAuditEntry(e) == want {
		t.Fatal("the previous hash is not in the hash")
	}
}
