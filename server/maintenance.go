package server

import (
	"fmt"
	"net/http"

	"beredskap/internal/backup"
	"beredskap/internal/store"
)

// backup streams a backup of the running store and the server's key file
// to an admin: encrypted when the store is encrypted at rest.
func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	c, ok := s.admin(w, r)
	if !ok {
		return
	}
	now := s.cfg.Now()
	// The backup carries the key file as it is kept beside the store:
	// wrapped when the store is encrypted.
	keyFile, err := s.keys.FileFor(s.cfg.BackupKey)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="beredskap-%s.backup"`, now.UTC().Format("20060102-1504")))
	n, err := backup.Write(r.Context(), s.db, w, s.cfg.BackupKey, keyFile, nil)
	if err != nil {
		// The answer has started; the download ends short and fails on the
		// admin's side, and the log says why.
		s.log.Error("backup failed", "err", err, "bytes", n)
		return
	}
	s.audit(r, store.Audit{Actor: c.ID, Action: store.AuditBackup, Detail: fmt.Sprintf("bytes=%d encrypted=%v", n, s.cfg.BackupKey != nil)})
}
