package server

import (
	"testing"

	"beredskap/internal/care"
	"beredskap/internal/wire"
)

func TestUsersAndDevices(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin").Token
	nord := e.phone("anna").bundle.Units[0].ID
	cases := []struct {
		name string
		req  wire.NewUserRequest
		ok   bool
	}{
		{"short password", wire.NewUserRequest{Username: "eva", Name: "Eva Lie", Role: care.RoleWorker, Units: []string{nord}, Password: "short"}, false},
		{"no unit", wire.NewUserRequest{Username: "eva", Name: "Eva Lie", Role: care.RoleWorker, Password: "a long enough one"}, false},
		{"unknown unit", wire.NewUserRequest{Username: "eva", Name: "Eva Lie", Role: care.RoleWorker, Units: []string{"x"}, Password: "a long enough one"}, false},
		{"bad role", wire.NewUserRequest{Username: "eva", Name: "Eva Lie", Role: "boss", Units: []string{nord}, Password: "a long enough one"}, false},
		{"unknown language", wire.NewUserRequest{Username: "eva", Name: "Eva Lie", Role: care.RoleWorker, Units: []string{nord}, Lang: "fi", Password: "a long enough one"}, false},
		{"taken", wire.NewUserRequest{Username: "Anna", Name: "Anna 2", Role: care.RoleWorker, Units: []string{nord}, Password: "a long enough one"}, false},
		{"good", wire.NewUserRequest{Username: "Eva", Name: "Eva Lie", Role: care.RoleWorker, Units: []string{nord}, Password: "a long enough one"}, true},
	}
	var eva wire.UserView
	for _, c := range cases {
		code, raw := e.call("POST", "/api/v1/users", admin, c.req, &eva)
		if (code == 200) != c.ok {
			t.Fatalf("%s: %d %s", c.name, code, raw)
		}
	}
	if code, raw := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "eva", Password: "a long enough one"}, nil); code != 200 {
		t.Fatalf("new user's login: %d %s", code, raw)
	}

	// A phone of eva's, then revoked.
	evaSession := wire.LoginResponse{}
	e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "eva", Password: "a long enough one"}, &evaSession)
	devID, _ := e.device(evaSession.Token)
	var users wire.UsersResponse
	e.call("GET", "/api/v1/users", admin, nil, &users)
	found := false
	for _, u := range users.Users {
		if u.ID == eva.ID && len(u.Devices) == 1 && u.Devices[0].ID == devID {
			found = true
		}
	}
	if !found {
		t.Fatal("the admin's user list lacks eva's device")
	}
	if code, raw := e.call("POST", "/api/v1/devices/"+devID+"/revoke", admin, nil, nil); code != 200 {
		t.Fatalf("revoke: %d %s", code, raw)
	}
	if code, raw := e.call("GET", "/api/v1/bundle", evaSession.Token, nil, nil); code != 403 || errorCode(t, raw) != wire.CodeDeviceRevoked {
		t.Fatalf("the revoked phone fetched a bundle: %d %s", code, raw)
	}
	// Nor can it register a fresh device key to get one.
	if code, raw := e.call("POST", "/api/v1/devices", evaSession.Token, wire.DeviceRequest{PublicKey: make([]byte, 32)}, nil); code != 403 || errorCode(t, raw) != wire.CodeDeviceRevoked {
		t.Fatalf("the revoked phone registered a new key: %d %s", code, raw)
	}

	// Reset and disable.
	if code, _ := e.call("POST", "/api/v1/users/"+eva.ID+"/reset", admin, wire.PasswordRequest{Password: "aaaaaaaaaaaa"}, nil); code != 400 {
		t.Fatal("a password of one repeated character was accepted")
	}
	if code, raw := e.call("POST", "/api/v1/users/"+eva.ID+"/reset", admin, wire.PasswordRequest{Password: "another good one"}, nil); code != 200 {
		t.Fatalf("reset: %d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "eva", Password: "a long enough one"}, nil); code != 401 {
		t.Fatal("the old password still works")
	}
	live := wire.LoginResponse{}
	e.call("POST", "/api/v1/session", "", wire.LoginRequest{Username: "eva", Password: "another good one"}, &live)
	if code, raw := e.call("POST", "/api/v1/users/"+eva.ID+"/disable", admin, nil, nil); code != 200 {
		t.Fatalf("disable: %d %s", code, raw)
	}
	if code, _ := e.call("POST", "/api/v1/devices", live.Token, wire.DeviceRequest{PublicKey: make([]byte, 32)}, nil); code != 401 {
		t.Fatal("disabling did not end the session")
	}
	if code, _ := e.call("POST", "/api/v1/users/nobody/disable", admin, nil, nil); code != 404 {
		t.Fatal("disabling an unknown user")
	}
}
