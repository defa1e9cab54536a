package server

import (
	"net/http"

	"beredskap/internal/reconcile"
	"beredskap/internal/store"
	"beredskap/internal/wire"
)

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.officeScope(w, r)
	if !ok {
		return
	}
	in, err := reconcile.Load(r.Context(), s.db, sc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := wire.Dashboard{Since: sc.Since, Until: sc.Until, States: map[string]int{}, Types: map[string]int{}, Findings: map[string]int{}}
	for _, rec := range in.Records {
		d.Records++
		st := rec.State
		if rec.Quarantined && st == store.StateNew {
			st = store.StateQuarantined
		}
		d.States[st]++
		d.Types[string(rec.Type)]++
	}
	res, err := s.db.FindingResolutions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, f := range reconcile.Compute(in) {
		d.Findings[f.Kind]++
		if _, done := res[f.ID]; !done {
			d.Open++
		}
	}
	writeJSON(w, http.StatusOK, d)
}
