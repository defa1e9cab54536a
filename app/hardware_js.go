//go:build js && wasm

package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"beredskap/app/shift"
)

// PlatformKey is the browser's WebAuthn platform authenticator.
type PlatformKey struct{}

// await waits for a JavaScript promise. Call it from a goroutine.
func await(ctx context.Context, p app.Value) (app.Value, error) {
	type result struct {
		v   app.Value
		err error
	}
	done := make(chan result, 1)
	ok := app.FuncOf(func(this app.Value, args []app.Value) any {
		var v app.Value
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	fail := app.FuncOf(func(this app.Value, args []app.Value) any {
		msg := "rejected"
		if len(args) > 0 && args[0].Truthy() {
			msg = args[0].Call("toString").String()
		}
		done <- result{err: errors.New(msg)}
		return nil
	})
	defer ok.Release()
	defer fail.Release()
	p.Call("then", ok, fail)
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func bytesToJS(b []byte) app.Value {
	u8 := app.Window().Get("Uint8Array").New(len(b))
	app.CopyBytesToJS(u8, b)
	return u8
}

func bytesFromJS(buf app.Value) []byte {
	u8 := app.Window().Get("Uint8Array").New(buf)
	b := make([]byte, u8.Get("length").Int())
	app.CopyBytesToGo(b, u8)
	return b
}

func object() app.Value { return app.Window().Get("Object").New() }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// prfExtension asks for the PRF output over salt.
func prfExtension(salt []byte) app.Value {
	eval := object()
	eval.Set("first", bytesToJS(salt))
	prf := object()
	prf.Set("eval", eval)
	ext := object()
	ext.Set("prf", prf)
	return ext
}

// prfResult reads the PRF output of a credential, or nil.
func prfResult(cred app.Value) []byte {
	ext := cred.Call("getClientExtensionResults")
	prf := ext.Get("prf")
	if !prf.Truthy() || !prf.Get("results").Truthy() || !prf.Get("results").Get("first").Truthy() {
		return nil
	}
	return bytesFromJS(prf.Get("results").Get("first"))
}

// Enroll implements HardwareKey.
func (PlatformKey) Enroll(ctx context.Context, userID []byte, userName string) (credID, salt, secret []byte, err error) {
	pkc := app.Window().Get("PublicKeyCredential")
	if !pkc.Truthy() || !pkc.Get("isUserVerifyingPlatformAuthenticatorAvailable").Truthy() {
		return nil, nil, nil, shift.ErrNoHardware
	}
	avail, err := await(ctx, pkc.Call("isUserVerifyingPlatformAuthenticatorAvailable"))
	if err != nil || !avail.Bool() {
		return nil, nil, nil, shift.ErrNoHardware
	}
	salt = randomBytes(32)
	rp := object()
	rp.Set("name", "Beredskap")
	rp.Set("id", app.Window().Get("location").Get("hostname"))
	user := object()
	user.Set("id", bytesToJS(userID))
	user.Set("name", userName)
	user.Set("displayName", userName)
	p256, rsa := object(), object()
	p256.Set("type", "public-key")
	p256.Set("alg", -7)
	rsa.Set("type", "public-key")
	rsa.Set("alg", -257)
	sel := object()
	sel.Set("authenticatorAttachment", "platform")
	sel.Set("residentKey", "discouraged")
	sel.Set("userVerification", "preferred")
	opts := object()
	opts.Set("challenge", bytesToJS(randomBytes(32))) // no server checks it: only the PRF output is used
	opts.Set("rp", rp)
	opts.Set("user", user)
	opts.Set("pubKeyCredParams", app.Window().Get("Array").New(p256, rsa))
	opts.Set("authenticatorSelection", sel)
	opts.Set("timeout", 60000)
	opts.Set("extensions", prfExtension(salt))
	wrap := object()
	wrap.Set("publicKey", opts)
	cred, err := await(ctx, app.Window().Get("navigator").Get("credentials").Call("create", wrap))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%w: %v", shift.ErrNoHardware, err)
	}
	ext := cred.Call("getClientExtensionResults").Get("prf")
	if !ext.Truthy() || !ext.Get("enabled").Truthy() {
		return nil, nil, nil, shift.ErrNoHardware
	}
	credID = bytesFromJS(cred.Get("rawId"))
	// Some authenticators answer PRF only on an assertion.
	if secret = prfResult(cred); secret == nil {
		if secret, err = (PlatformKey{}).Secret(ctx, credID, salt); err != nil {
			return nil, nil, nil, err
		}
	}
	return credID, salt, secret, nil
}

// Secret implements HardwareKey.
func (PlatformKey) Secret(ctx context.Context, credID, salt []byte) ([]byte, error) {
	allow := object()
	allow.Set("type", "public-key")
	allow.Set("id", bytesToJS(credID))
	opts := object()
	opts.Set("challenge", bytesToJS(randomBytes(32)))
	opts.Set("rpId", app.Window().Get("location").Get("hostname"))
	opts.Set("allowCredentials", app.Window().Get("Array").New(allow))
	opts.Set("userVerification", "preferred")
	opts.Set("timeout", 60000)
	opts.Set("extensions", prfExtension(salt))
	wrap := object()
	wrap.Set("publicKey", opts)
	cred, err := await(ctx, app.Window().Get("navigator").Get("credentials").Call("get", wrap))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", shift.ErrHardwareMissing, err)
	}
	secret := prfResult(cred)
	if len(secret) == 0 {
		return nil, shift.ErrHardwareMissing
	}
	return secret, nil
}
