package llm

import (
	"context"
	"errors"
	"iter"
	"net"
	"net/url"
	"slices"
	"sync/atomic"
	"time"

	"github.com/llmux/llm/internal/httpx"
)

// Client sends requests to providers with a set of options. The zero value
// is not usable; create one with NewClient. A Client is safe for concurrent
// use.
type Client struct {
	opts []Option
}

// NewClient returns a Client whose calls apply opts before their own.
func NewClient(opts ...Option) *Client {
	return &Client{opts: slices.Clone(opts)}
}

var defaultClient atomic.Pointer[Client]

func init() { defaultClient.Store(NewClient()) }

// Default returns the client the package-level functions use.
func Default() *Client { return defaultClient.Load() }

// SetDefault makes c the client of the package-level functions.
func SetDefault(c *Client) {
	if c == nil {
		panic("llm: SetDefault(nil)")
	}
	defaultClient.Store(c)
}

// Completion creates a chat completion with the default client.
func Completion(ctx context.Context, req CompletionRequest, opts ...Option) (*CompletionResponse, error) {
	return Default().Completion(ctx, req, opts...)
}

// CompletionStream streams a chat completion with the default client.
func CompletionStream(ctx context.Context, req CompletionRequest, opts ...Option) iter.Seq2[*Chunk, error] {
	return Default().CompletionStream(ctx, req, opts...)
}

// TextCompletion creates a legacy text completion with the default client.
func TextCompletion(ctx context.Context, req TextCompletionRequest, opts ...Option) (*TextCompletionResponse, error) {
	return Default().TextCompletion(ctx, req, opts...)
}

// call is the resolved target of one call.
type call struct {
	provider Provider
	name     string // provider name from the model string
	model    string // provider-side model name
	cfg      *Config
}

// resolve parses the model string, applies the options and finds the provider.
func (c *Client) resolve(model string, opts []Option) (call, error) {
	pname, mname, err := ParseModel(model)
	if err != nil {
		return call{}, err
	}
	// One allocation for the Config and the set of secrets it records.
	cc := &struct {
		cfg     Config
		secrets secretSet
	}{}
	cfg := &cc.cfg
	cfg.provider, cfg.secrets = pname, &cc.secrets
	for _, o := range c.opts {
		o(cfg)
	}
	for _, o := range opts {
		o(cfg)
	}
	cl := call{name: pname, model: mname, cfg: cfg}
	switch {
	case cfg.mock != nil || cfg.responder != nil:
		cl.provider = mockProvider{}
	case cfg.providers[pname] != nil:
		cl.provider = cfg.providers[pname]
	default:
		p, ok := registered(pname)
		if !ok {
			return call{}, unknownProvider(pname, model)
		}
		cl.provider = p
	}
	return cl, nil
}

// chatCompletion is the Completion operation.
var chatCompletion = operation[Completer, CompletionRequest, CompletionResponse]{
	name:  "chat completions",
	model: func(r *CompletionRequest) *string { return &r.Model },
	check: call.check,
	call:  Completer.Completion,
	mock:  mockCompletion,
	meta:  func(r *CompletionResponse) *Meta { return &r.Meta },
	cost: func(provider, model string, r *CompletionResponse) *Cost {
		return costOf(provider, model, r.Model, r.ServiceTier, r.Usage)
	},
}

// chatCompletionStream is the CompletionStream operation.
var chatCompletionStream = streamOperation[Streamer, CompletionRequest, Chunk]{
	name:   "streaming chat completions",
	method: "CompletionStream",
	model:  func(r *CompletionRequest) *string { return &r.Model },
	stream: func(r *CompletionRequest) { r.Stream = true },
	check:  call.check,
	call:   Streamer.CompletionStream,
	mock:   mockCompletionStream,
	meta:   func(c *Chunk) **Meta { return &c.Meta },
	last:   func(c *Chunk) bool { return c.Usage != nil },
	cost: func(provider, model string, c *Chunk) *Cost {
		return costOf(provider, model, c.Model, c.ServiceTier, c.Usage)
	},
}

// Completion creates a chat completion.
func (c *Client) Completion(ctx context.Context, req CompletionRequest, opts ...Option) (*CompletionResponse, error) {
	return do(ctx, c, &chatCompletion, &req, opts)
}

// check validates a chat request and runs the pre-call checks if asked for.
func (cl call) check(req *CompletionRequest) error {
	if err := validateCompletion(req); err != nil {
		return err
	}
	if cl.cfg.preCheck != nil {
		return cl.cfg.preCheck(cl.name, cl.model, req)
	}
	return nil
}

// CompletionStream streams a chat completion. The sequence is single-use and
// reads the response in the caller's goroutine; breaking out of the loop or
// canceling ctx closes the connection. An error is yielded at most once, as
// the last element. The last chunk carries the usage and Meta with cost, and
// no choices: read chunks through their accessors, which return "" there.
//
//	for chunk, err := range client.CompletionStream(ctx, req) {
//		if err != nil {
//			return err
//		}
//		fmt.Print(chunk.Text())
//	}
func (c *Client) CompletionStream(ctx context.Context, req CompletionRequest, opts ...Option) iter.Seq2[*Chunk, error] {
	return doStream(ctx, c, &chatCompletionStream, &req, opts)
}

// textCompletion is the TextCompletion operation.
var textCompletion = operation[TextCompleter, TextCompletionRequest, TextCompletionResponse]{
	name:  "text completions",
	model: func(r *TextCompletionRequest) *string { return &r.Model },
	check: func(_ call, r *TextCompletionRequest) error { return validateTextCompletion(r) },
	call:  TextCompleter.TextCompletion,
	mock:  mockTextCompletion,
	meta:  func(r *TextCompletionResponse) *Meta { return &r.Meta },
	cost: func(provider, model string, r *TextCompletionResponse) *Cost {
		return costOf(provider, model, r.Model, "", r.Usage)
	},
}

// TextCompletion creates a legacy text completion.
func (c *Client) TextCompletion(ctx context.Context, req TextCompletionRequest, opts ...Option) (*TextCompletionResponse, error) {
	return do(ctx, c, &textCompletion, &req, opts)
}

// errNoResponse reports a provider that returned neither a response nor an
// error: a bug of the provider, never a success. (A new value each time: the
// client completes the error it returns.)
func errNoResponse() *Error {
	return Errorf(KindBadResponse, "the provider returned no response and no error")
}

func unsupported(provider, what string) *Error {
	return &Error{Kind: KindUnsupported, Message: "provider " + provider + " does not support " + what}
}

// finish completes the Meta of a non-streamed result.
func (cl *call) finish(m *Meta, start time.Time) {
	m.Provider, m.Model = cl.name, cl.model
	m.Latency = time.Since(start)
}

// fail turns any error of a call into an *Error naming the provider and model,
// with every credential the call used scrubbed from it (see scrubberOf).
func (cl *call) fail(ctx context.Context, err error) error {
	return normalizeError(ctx, err, cl.name, cl.model, scrubberOf(cl.cfg))
}

func normalizeError(ctx context.Context, err error, provider, model string, s scrubber) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Provider == "" {
			e.Provider = provider
		}
		if e.Model == "" {
			e.Model = model
		}
		if ctxErr := ctx.Err(); ctxErr != nil && e.Kind != KindCanceled && e.Kind != KindTimeout && e.StatusCode == 0 {
			e.Kind, e.Err = ctxKind(ctxErr), errors.Join(ctxErr, e.Err)
		}
		s.scrubError(e)
		if err != e {
			return s.wrap(err) // the wrapping errors' texts may hold a credential too
		}
		return err
	}
	ne := &Error{Provider: provider, Model: model, Err: err}
	msgSet := false
	var se *httpx.StatusError
	var netErr net.Error
	var bad interface{ BadResponse() } // internal: a cap exceeded, a page instead of a stream
	switch {
	case ctx.Err() != nil:
		ne.Kind = ctxKind(ctx.Err())
		if !errors.Is(err, ctx.Err()) {
			ne.Err = errors.Join(ctx.Err(), err)
		}
	case errors.Is(err, context.Canceled):
		ne.Kind = KindCanceled
	case errors.Is(err, context.DeadlineExceeded):
		ne.Kind = KindTimeout
	case errors.As(err, new(*kindError)): // a sentinel, bare or wrapped
		ne.Kind, ne.Message, _ = sentinelCause(err)
		msgSet = true
	case errors.As(err, &se):
		ne.Kind = KindFromStatus(se.StatusCode)
		ne.StatusCode = se.StatusCode
		ne.RetryAfter = httpx.RetryAfter(se.Header)
		ne.Message = truncate(string(se.Body), 2000)
	case isURLParseError(err):
		ne.Kind = KindInvalidRequest // a base URL that is not a URL
	case errors.As(err, &bad):
		ne.Kind = KindBadResponse
	case errors.As(err, &netErr) && netErr.Timeout():
		ne.Kind = KindTimeout
	case httpx.IsConnectionError(err):
		ne.Kind = KindConnection
	case isEncodeError(err): // a value of the caller's that cannot be sent
		ne.Kind = KindInvalidRequest
	case isDecodeError(err): // an answer the translator could not read
		ne.Kind = KindBadResponse
	default:
		// Nothing recognisable: a provider (a third-party one, say) failed
		// with an error of its own. Never KindUnknown: it is the provider's
		// failure, retryable like any server error.
		ne.Kind = KindServer
	}
	if ne.Message == "" && !msgSet {
		ne.Message = err.Error()
	}
	s.scrubError(ne)
	return ne
}

// isURLParseError reports whether err is net/url's error for a URL that
// does not parse, as http.NewRequest returns it.
func isURLParseError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) && ue.Op == "parse"
}

func ctxKind(err error) Kind {
	if errors.Is(err, context.DeadlineExceeded) {
		return KindTimeout
	}
	return KindCanceled
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
