package oidclogin

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// rediscoverAfter is how long a provider's discovery document is trusted
// before it is read again (a provider moving its endpoints); the keys
// themselves go-oidc fetches again whenever a token names a key it does
// not hold.
const rediscoverAfter = time.Hour

// client talks to one provider: discovery, keys, token endpoint, all
// through one HTTP client whose timeout bounds every request.
type client struct {
	p      *Provider
	http   *http.Client
	secret string
	signer *assertionSigner

	mu         sync.Mutex
	discovered *oidc.Provider
	at         time.Time
	verifier   *oidc.IDTokenVerifier
}

func newClient(p *Provider) (*client, error) {
	c := &client{p: p, http: &http.Client{Timeout: p.timeout()}}
	if p.ClientSecretFile != "" {
		s, err := readSecret(p.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("provider %s: client_secret_file: %w", p.ID, err)
		}
		c.secret = s
	} else {
		s, err := loadSigner(p.PrivateKeyFile, p.KeyID)
		if err != nil {
			return nil, fmt.Errorf("provider %s: private_key_file: %w", p.ID, err)
		}
		c.signer = s
	}
	return c, nil
}

// discover returns the provider's metadata, read once an hour; when it
// cannot be read again, the last one read serves. A provider never
// reached is an error: the login cannot start.
func (c *client) discover(ctx context.Context, now func() time.Time) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.discovered != nil && now().Sub(c.at) < rediscoverAfter {
		return c.discovered, c.verifier, nil
	}
	// The key set go-oidc makes keeps the HTTP client of this context
	// (with its timeout) for every later fetch of the keys.
	d, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), c.p.Issuer)
	if err != nil {
		if c.discovered != nil {
			return c.discovered, c.verifier, nil
		}
		return nil, nil, fmt.Errorf("discover %s: %w", c.p.Issuer, err)
	}
	c.discovered, c.at = d, now()
	c.verifier = d.Verifier(&oidc.Config{ClientID: c.p.ClientID, Now: now})
	return c.discovered, c.verifier, nil
}

// oauth2Config is the Authorization Code client of the provider.
func (c *client) oauth2Config(d *oidc.Provider, redirectURL string) *oauth2.Config {
	ep := d.Endpoint()
	if c.signer != nil {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	// With a secret, oauth2 tries client_secret_basic first, then
	// client_secret_post, and remembers which the provider took.
	return &oauth2.Config{ClientID: c.p.ClientID, ClientSecret: c.secret, Endpoint: ep, RedirectURL: redirectURL, Scopes: c.p.Scopes}
}

// exchange trades the provider's code for its tokens, authenticating
// the client with its secret or a fresh signed assertion.
func (c *client) exchange(ctx context.Context, d *oidc.Provider, redirectURL, code, verifier string, now time.Time) (*oauth2.Token, error) {
	conf := c.oauth2Config(d, redirectURL)
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if c.signer != nil {
		aud := c.p.Issuer
		if c.p.AssertionAudience == "token_endpoint" {
			aud = conf.Endpoint.TokenURL
		}
		a, err := c.signer.assertion(c.p.ClientID, aud, now)
		if err != nil {
			return nil, err
		}
		opts = append(opts, oauth2.SetAuthURLParam("client_assertion_type", assertionType), oauth2.SetAuthURLParam("client_assertion", a))
	}
	tok, err := conf.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.http), code, opts...)
	if err != nil {
		return nil, fmt.Errorf("token request to %s: %w", c.p.Issuer, err)
	}
	return tok, nil
}
