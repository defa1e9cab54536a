package server

import (
	"net/http"
	"sort"

	"beredskap/internal/users"
	"beredskap/internal/wire"
)

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admin(w, r); !ok {
		return
	}
	accts, err := s.db.Accounts(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	devs, err := s.db.Devices(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	byUser := map[string][]wire.DeviceView{}
	for _, d := range devs {
		byUser[d.UserID] = append(byUser[d.UserID], deviceView(d))
	}
	out := wire.UsersResponse{Users: []wire.UserView{}}
	for _, a := range accts {
		ds := byUser[a.ID]
		sort.Slice(ds, func(i, j int) bool { return ds[i].LastSeen.After(ds[j].LastSeen) })
		out.Users = append(out.Users, wire.UserView{User: a.User, Devices: ds})
	}
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].Username < out.Users[j].Username })
	cs, err := s.db.UsernameCollisions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out.Collisions = users.CollisionViews(cs)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.NewUserRequest
	if err := decode(w, r, 8<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := users.Create(r.Context(), s.db, s.cfg.Hasher, req, c.ID, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.UserView{User: u})
}

func (s *Server) renameUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.RenameUserRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := users.Rename(r.Context(), s.db, r.PathValue("id"), req.Username, c.ID, s.cfg.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.UserView{User: u})
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if id == c.ID {
		s.writeError(w, r, wire.Errorf(wire.CodeInvalidInput, "you cannot disable yourself").WithKey(keyDisableSelf))
		return
	}
	if err := users.SetDisabled(r.Context(), s.db, id, true, c.ID, s.cfg.Now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"disabled": true})
}

func (s *Server) resetUser(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	var req wire.PasswordRequest
	if err := decode(w, r, 4<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := users.ResetPassword(r.Context(), s.db, s.cfg.Hasher, r.PathValue("id"), req.Password, c.ID, s.cfg.Now()); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
}
