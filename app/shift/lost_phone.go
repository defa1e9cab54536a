package shift

import (
	"context"

	"beredskap/internal/wire"
)

// A worker who has lost a phone logs in on another and reports the lost
// one from there (issue 19, item 3): the server revokes it, so it gets no
// new shift and is told to wipe at its next contact, and the desk sees
// what it may still hold.

// OwnDevices lists the user's phones, this one marked Current; it needs
// the shift unlocked and the server.
func (s *Keyring) OwnDevices(ctx context.Context) (wire.OwnDevicesResponse, error) {
	token, err := s.liveToken()
	if err != nil {
		return wire.OwnDevicesResponse{}, err
	}
	out, err := s.api.OwnDevices(ctx, token)
	s.observe(err)
	return out, err
}

// ReportLost reports another of the user's phones lost.
func (s *Keyring) ReportLost(ctx context.Context, deviceID string) error {
	token, err := s.liveToken()
	if err != nil {
		return err
	}
	err = s.api.ReportOwnDeviceLost(ctx, token, deviceID)
	s.observe(err)
	return err
}

// liveToken is the session's token while the shift is unlocked.
func (s *Keyring) liveToken() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == nil || s.sess == nil {
		return "", ErrLocked
	}
	return s.sess.Token, nil
}
