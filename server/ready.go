package server

import (
	"errors"
	"net/http"
	"strconv"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// ready is GET /readyz, readiness for a load balancer: 200 while this
// node's store is open for writes, 503 otherwise, so that phones are sent
// to a node that can keep their records. /healthz stays liveness (the
// process answers, and says why writes are refused).
//
// It asks only the store's mode, which the store keeps in memory: a load
// balancer may ask every second. Only a node that is not ready looks up
// the store's reason, for the body. Nothing in the answer is secret: it is
// what /healthz tells anyone already.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	mode := s.db.Mode()
	if mode == store.ModeReadWrite {
		writeJSON(w, http.StatusOK, readyBody{Status: "ready", Store: string(mode)})
		return
	}
	// The code is the one the writes the node would refuse get (a
	// Badger store opened on a full disk: insufficient_storage; a
	// PostgreSQL store with no primary in reach: unavailable).
	msg := "not ready: the store is " + string(mode)
	if reason := s.db.Storage().Reason; reason != "" {
		msg += ": " + reason
	}
	code, retry := wire.CodeInsufficientStorage, retryAfterSeconds
	if errors.Is(s.refusal(), store.ErrUnavailable) {
		code, retry = wire.CodeUnavailable, retryUnavailableSeconds
	}
	w.Header().Set("Retry-After", strconv.Itoa(retry))
	writeJSON(w, http.StatusServiceUnavailable, wire.ErrorBody{Error: wire.Error{Code: code, Message: msg}})
}

// readyBody is /readyz's answer while the node is ready.
type readyBody struct {
	Status string `json:"status"`
	Store  string `json:"store"`
}
