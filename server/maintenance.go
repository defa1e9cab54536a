package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

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

// Purge deletes records reconciled longer ago than the retention period,
// with an audit entry for each.
func (s *Server) Purge(ctx context.Context) (int, error) {
	return s.db.PurgeReconciled(ctx, s.cfg.Now().Add(-s.cfg.Retention), s.cfg.Now())
}

// PurgeDaily runs Purge at start and then once a day until ctx ends; a
// purge that failed is tried again after an hour.
func (s *Server) PurgeDaily(ctx context.Context) {
	for {
		next := 24 * time.Hour
		if n, err := s.Purge(ctx); err != nil {
			s.log.Error("retention purge failed", "err", err)
			next = time.Hour
		} else if n > 0 {
			s.log.Info("retention purge", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next):
		}
	}
}
