package replicate

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// DefaultBaseURL is Replicate's API; the paths the provider appends start
// with "/v1", as in Replicate's own SDKs (whose REPLICATE_BASE_URL has the
// same meaning).
const DefaultBaseURL = "https://api.replicate.com"

// Provider is the Replicate translator. It is stateless.
type Provider struct{}

// New returns the Replicate provider.
func New() *Provider { return &Provider{} }

func init() { llm.Register("replicate", New()) }

// Name implements llm.Provider.
func (*Provider) Name() string { return "replicate" }

// target is where a model string sends its predictions.
type target struct {
	// createPath is the path (after the base URL) of the create request.
	createPath string
	// version is the version ID sent in the body of POST /v1/predictions,
	// or empty for the model and deployment endpoints.
	version string
	// model is the model's "owner/name", or the version ID alone.
	model string
}

// versionIDLen is the length of a Replicate version ID (a SHA-256 in hex).
const versionIDLen = 64

// parseTarget reads a model name: "owner/name" (an official model or the
// latest version of a model), "owner/name:version",
// "deployments/owner/name" or a bare 64-character version ID.
func parseTarget(model string) (target, error) {
	bad := func(why string) (target, error) {
		return target{}, llm.Errorf(llm.KindInvalidRequest,
			"replicate model %q %s; write it as \"replicate/<owner>/<model>\", \"replicate/<owner>/<model>:<version>\", \"replicate/deployments/<owner>/<name>\" or \"replicate/<version-id>\"",
			model, why)
	}
	if rest, ok := strings.CutPrefix(model, "deployments/"); ok {
		owner, name, ok := strings.Cut(rest, "/")
		if !ok || !segment(owner) || !segment(name) {
			return bad("is not a deployment \"deployments/<owner>/<name>\"")
		}
		return target{createPath: "/v1/deployments/" + owner + "/" + name + "/predictions", model: owner + "/" + name}, nil
	}
	if isVersionID(model) {
		return target{createPath: "/v1/predictions", version: model, model: model}, nil
	}
	ref, version, hasVersion := strings.Cut(model, ":")
	owner, name, ok := strings.Cut(ref, "/")
	if !ok || !segment(owner) || !segment(name) {
		return bad("does not name an owner and a model")
	}
	if hasVersion {
		if !isVersionID(version) {
			return bad("has a version that is not a 64-character hexadecimal ID")
		}
		return target{createPath: "/v1/predictions", version: version, model: ref}, nil
	}
	return target{createPath: "/v1/models/" + owner + "/" + name + "/predictions", model: ref}, nil
}

// segment reports whether s is a valid owner or model name: Replicate's
// names are lower-case letters, digits, '-', '_' and '.'.
func segment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}

func isVersionID(s string) bool {
	if len(s) != versionIDLen {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// conn is what the requests of one call share.
type conn struct {
	cfg  *llm.Config
	key  string
	base string
}

func newConn(cfg *llm.Config) (*conn, error) {
	key := cfg.Key("REPLICATE_API_TOKEN", "REPLICATE_API_KEY")
	if key == "" {
		return nil, &llm.Error{Kind: llm.KindAuthentication, Message: "no API token: set REPLICATE_API_TOKEN (or REPLICATE_API_KEY) or pass llm.WithAPIKey"}
	}
	return &conn{cfg: cfg, key: key, base: cfg.BaseURLOr(DefaultBaseURL, "REPLICATE_API_BASE", "REPLICATE_BASE_URL")}, nil
}

func (c *conn) header(accept string) http.Header {
	h := c.cfg.NewHeader()
	h.Set("Authorization", "Bearer "+c.key)
	h.Set("Accept", accept)
	return h
}

// maxPreferWait is the longest wait Replicate's Prefer header allows.
const maxPreferWait = 60 * time.Second

// create posts a prediction. With wait, it asks Replicate to hold the
// answer until the prediction ends (Prefer: wait, shortened to the
// context's deadline); a deadline also becomes Cancel-After, so that
// Replicate stops a prediction its caller has given up on.
func (c *conn) create(ctx context.Context, t target, body []byte, wait bool) (*prediction, http.Header, []byte, error) {
	h := c.header("application/json")
	if wait {
		h.Set("Prefer", preferWait(ctx))
	}
	if d, ok := ctx.Deadline(); ok {
		h.Set("Cancel-After", cancelAfter(time.Until(d)))
	}
	resp, err := httpx.Do(ctx, c.cfg.HTTPClient, httpx.Request{URL: c.base + t.createPath, Header: h, Body: body})
	if err != nil {
		return nil, nil, nil, classify(err)
	}
	return c.read(resp)
}

// get fetches the current state of prediction id. It builds the URL from
// the configured base URL rather than following the prediction's urls.get,
// so that the API token never goes to a host the caller did not configure.
func (c *conn) get(ctx context.Context, id string) (*prediction, http.Header, []byte, error) {
	resp, err := httpx.Do(ctx, c.cfg.HTTPClient, httpx.Request{Method: http.MethodGet,
		URL: c.base + "/v1/predictions/" + url.PathEscape(id), Header: c.header("application/json")})
	if err != nil {
		return nil, nil, nil, classify(err)
	}
	return c.read(resp)
}

func (c *conn) read(resp *http.Response) (*prediction, http.Header, []byte, error) {
	raw, err := httpx.ReadAll(resp, c.cfg.MaxResponseBytes)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := decodePrediction(raw)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, resp.Header, raw, nil
}

// cancelTimeout bounds the best-effort cancel request sent when a call
// gives up on a running prediction.
const cancelTimeout = time.Second

// cancel asks Replicate to stop prediction id, best effort: it is sent when
// the caller's context ends (or the call fails) while the prediction runs,
// so that it stops costing. It runs in the caller's goroutine, detached
// from ctx's cancellation but bounded by cancelTimeout, and its outcome is
// ignored.
func (c *conn) cancel(ctx context.Context, id string) {
	if id == "" {
		return
	}
	ctx, stop := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer stop()
	resp, err := httpx.Do(ctx, c.cfg.HTTPClient, httpx.Request{URL: c.base + "/v1/predictions/" + url.PathEscape(id) + "/cancel",
		Header: c.header("application/json")})
	if err == nil {
		httpx.Drain(resp.Body)
		resp.Body.Close()
	}
}

// preferWait is the Prefer header of a waiting create request: "wait" (60
// seconds), or wait=n for a context whose deadline comes sooner.
func preferWait(ctx context.Context) string {
	d, ok := ctx.Deadline()
	if !ok {
		return "wait"
	}
	left := time.Until(d)
	if left >= maxPreferWait {
		return "wait"
	}
	return "wait=" + strconv.Itoa(max(1, int(left/time.Second)))
}

// minCancelAfter is the shortest Cancel-After Replicate accepts.
const minCancelAfter = 5 * time.Second

// cancelAfter is the Cancel-After header for a call with left time to run:
// whole seconds, rounded up, at least five.
func cancelAfter(left time.Duration) string {
	left = max(left, minCancelAfter)
	return strconv.FormatInt(int64((left+time.Second-1)/time.Second), 10) + "s"
}
