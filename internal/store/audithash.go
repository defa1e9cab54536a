package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// HashAuditEntry is the audit chain's hash of one entry: SHA-256 over the
// previous entry's hash and the entry's fields in a fixed order, its own
// Hash left out. Every implementation computes it when it appends and
// VerifyAudit recomputes it, so that a chain written by one store
// verifies in any other: it must never change, or every stored chain
// stops verifying.
func HashAuditEntry(e AuditEntry) string {
	b, _ := json.Marshal(struct {
		Seq     uint64 `json:"seq"`
		Time    string `json:"time"`
		Actor   string `json:"actor"`
		Action  string `json:"action"`
		Subject string `json:"subject"`
		Detail  string `json:"detail"`
		Prev    string `json:"prev"`
	}{e.Seq, e.Time.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Subject, e.Detail, e.Prev})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
