package wire

import "time"

// Logging in when the identity provider is down (issue 18): the
// provider outage an admin declares, the printed one-time fallback
// codes, and the admins' break-glass login (password plus TOTP).

// ProviderOutageStatus is what every login page and the desk show of
// the identity provider's outage (GET /api/v1/provider-outage, no login
// needed): whether one is declared, why, and until when at the latest.
type ProviderOutageStatus struct {
	Active bool       `json:"active"`
	Reason string     `json:"reason,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
}

// ProviderOutageRequest declares ("declare", with a reason and, at
// most the server's maximum, hours; the maximum when 0) or ends ("end")
// an outage of the identity provider (POST /api/v1/provider-outage,
// admins).
type ProviderOutageRequest struct {
	Action string `json:"action"`
	Reason string `json:"reason,omitempty"`
	Hours  int    `json:"hours,omitempty"`
}

// FallbackSheetResponse answers the issue of a new sheet of one-time
// codes (POST /api/v1/users/{id}/fallback-codes): the codes, shown this
// once, to be printed and handed to the user.
type FallbackSheetResponse struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	IssuedAt time.Time `json:"issued_at"`
	Codes    []string  `json:"codes"`
}

// FallbackSheetStatus is what an admin sees of a user's sheet
// (GET /api/v1/users/{id}/fallback-codes): never the codes.
type FallbackSheetStatus struct {
	UserID   string     `json:"user_id"`
	Issued   bool       `json:"issued"`
	IssuedAt *time.Time `json:"issued_at,omitempty"`
	IssuedBy string     `json:"issued_by,omitempty"`
	Total    int        `json:"total"`
	Left     int        `json:"left"`
}

// FallbackLoginRequest logs in with a fallback code during a provider
// outage (POST /api/v1/session/fallback); the answer is a LoginResponse.
type FallbackLoginRequest struct {
	Username string `json:"username"`
	Code     string `json:"code"`
}

// BreakGlassLoginRequest is an admin's break-glass login, password and
// the authenticator app's code (POST /api/v1/session/break-glass); the
// answer is a LoginResponse.
type BreakGlassLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTP     string `json:"totp"`
}

// BreakGlassUse is one break-glass login, as the desk lists them.
type BreakGlassUse struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
	Address  string    `json:"address,omitempty"`
}

// BreakGlassUsesResponse is GET /api/v1/break-glass: the latest uses,
// newest first.
type BreakGlassUsesResponse struct {
	Uses []BreakGlassUse `json:"uses"`
}
