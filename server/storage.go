package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"beredskap/internal/store"
	"beredskap/internal/wire"
)

// retryAfterSeconds is what a refused write is told to wait. Phones back
// off on their own as well (syncer: from 2 s doubling to 5 min); the
// header is for API users.
const retryAfterSeconds = 30

// smallWrites are the writes that keep people working on a nearly full
// disk: a login's session and audit entry, a phone's device key, a logout,
// a language. Each is a few hundred bytes; they are held only to the
// store's hard floor, not to the reserve that bulk writes need.
var smallWrites = map[string]bool{
	"POST /api/v1/session":   true,
	"DELETE /api/v1/session": true,
	"POST /api/v1/devices":   true,
	"PUT /api/v1/me/lang":    true,
	// The logins without the identity provider (issue 18).
	"POST /api/v1/session/fallback":    true,
	"POST /api/v1/session/break-glass": true,
}

// guardStorage admits a bulk write (any route that is not a read or a
// small write) only while the disk has the reserve (--min-free-mb) beyond
// what other admitted writes may still add; otherwise it answers 503
// insufficient_storage with Retry-After, before the body is read, so
// that a phone keeps its records for a later try. Reads pass, unless the
// store could not be opened at all; the store itself refuses the writes a
// read may make (an issued bundle, an audit entry) below its hard floor.
func (s *Server) guardStorage(method, path string, next http.Handler) http.Handler {
	if path == "/healthz" || path == "/readyz" {
		return next
	}
	if method == http.MethodGet || method == http.MethodHead || smallWrites[method+" "+path] {
		// A store that could not be opened at all answers nothing but
		// /healthz: a handler that reaches past the store's transactions
		// (a backup streams Badger itself) must not meet a missing database.
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.db.Mode() == store.ModeUnavailable {
				s.writeError(w, r, s.refusal())
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.ContentLength
		if n < 0 {
			n = wire.MaxSyncBytes // unknown length: the largest body a route takes
		}
		release, err := s.db.ReserveWrite(n)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

// refusal is why the store takes no writes now, in the store's own
// terms, which its ReserveWrite gives: ErrInsufficientStorage for a disk
// without room (Badger), ErrUnavailable for a database out of reach
// (PostgreSQL during a failover).
func (s *Server) refusal() error {
	release, err := s.db.ReserveWrite(0)
	if err != nil {
		return err
	}
	release()
	return fmt.Errorf("%w: %s", store.ErrInsufficientStorage, s.db.Storage().Reason)
}

// insufficientStorage turns the store's refusal into the protocol's error,
// with a key the app translates.
func insufficientStorage(err error) *wire.Error {
	return wire.Errorf(wire.CodeInsufficientStorage, "%s", err.Error()).WithKey(keyInsufficientStorage)
}

// storageError maps a store refusal for want of disk space to its
// protocol error and sets Retry-After; other errors come back unchanged.
func storageError(w http.ResponseWriter, err error) error {
	var we *wire.Error
	if errors.As(err, &we) && we.Code == wire.CodeInsufficientStorage {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		return err
	}
	if !errors.Is(err, store.ErrInsufficientStorage) {
		return err
	}
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	return insufficientStorage(err)
}

// healthBody is what /healthz says: status is liveness (the process
// answers), writes and reason say whether changes are taken now and why
// not, store how the database is open.
type healthBody struct {
	Status string `json:"status"`
	Writes string `json:"writes"`
	Store  string `json:"store"`
	Reason string `json:"reason,omitempty"`
}

func (s *Server) healthBody() healthBody {
	st := s.db.Storage()
	h := healthBody{Status: "ok", Writes: "accepted", Store: string(st.Mode)}
	if !st.BulkWrites {
		h.Writes, h.Reason = "refused", st.Reason
	}
	return h
}
