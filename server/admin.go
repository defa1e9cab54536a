package server

import (
	"net/http"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

// admin lets only admins through.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) (caller, bool) {
	c := callerFrom(r.Context())
	if c.Role != care.RoleAdmin {
		s.writeError(w, r, wire.Errorf(wire.CodeForbidden, "only admins manage users and devices").WithKey(keyForbidden))
		return c, false
	}
	return c, true
}
