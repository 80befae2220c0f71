package llm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// This file proves that a new operation is only request and response types,
// a validator, a capability interface and provider code: "reversals" below
// is defined here and nowhere else, and gets Meta, per-call options, the
// mock, error normalisation and the unsupported error from the one path.

type reverseRequest struct {
	Model string
	Text  string
}

type reverseResponse struct {
	Text  string
	Chars int
	Meta  Meta
}

type reverseChunk struct {
	Text  string
	Chars int // set on the last chunk only
	Meta  *Meta
}

// reverser is the capability behind the reversal operation.
type reverser interface {
	Provider
	Reverse(ctx context.Context, req *reverseRequest, cfg *Config) (*reverseResponse, error)
}

// reverseStreamer is the capability behind the streamed reversal operation.
type reverseStreamer interface {
	Provider
	ReverseStream(ctx context.Context, req *reverseRequest, cfg *Config) iter.Seq2[*reverseChunk, error]
}

func validateReverse(_ call, r *reverseRequest) error {
	if r.Text == "" {
		return Errorf(KindInvalidRequest, "text is empty")
	}
	return nil
}

// priceReverse prices a reversal at a cent a character.
func priceReverse(_, _ string, chars int) *Cost {
	return &Cost{Total: float64(chars) / 100, Input: float64(chars) / 100, Known: true}
}

var reverseOp = operation[reverser, reverseRequest, reverseResponse]{
	name:  "reversals",
	model: func(r *reverseRequest) *string { return &r.Model },
	check: validateReverse,
	call:  reverser.Reverse,
	mock: func(_ context.Context, r *reverseRequest, _ *Config) (*reverseResponse, error) {
		return &reverseResponse{Text: "mock:" + r.Text, Chars: len(r.Text)}, nil
	},
	meta: func(r *reverseResponse) *Meta { return &r.Meta },
	cost: func(p, m string, r *reverseResponse) *Cost { return priceReverse(p, m, r.Chars) },
}

var reverseStreamOp = streamOperation[reverseStreamer, reverseRequest, reverseChunk]{
	name:   "streaming reversals",
	method: "ReverseStream",
	model:  func(r *reverseRequest) *string { return &r.Model },
	check:  validateReverse,
	call:   reverseStreamer.ReverseStream,
	meta:   func(c *reverseChunk) **Meta { return &c.Meta },
	last:   func(c *reverseChunk) bool { return c.Chars > 0 },
	cost:   func(p, m string, c *reverseChunk) *Cost { return priceReverse(p, m, c.Chars) },
}

const reverseKey = "sk-reverse-0123456789abcdef"

// reverseProvider reverses text after a simulated 40ms of work, and fails
// as its request's text asks.
type reverseProvider struct{ calls *int }

func (reverseProvider) Name() string { return "rev" }

func (p reverseProvider) fail(req *reverseRequest, cfg *Config) error {
	switch req.Text {
	case "leak":
		return fmt.Errorf("upstream rejected key %s", string(cfg.APIKey))
	case "busy":
		return &Error{Kind: KindRateLimit, Message: "slow down", RetryAfter: time.Second}
	case "nothing":
		return errNoResponseSentinel
	}
	return nil
}

var errNoResponseSentinel = errors.New("return nil, nil")

func (p reverseProvider) Reverse(ctx context.Context, req *reverseRequest, cfg *Config) (*reverseResponse, error) {
	*p.calls++
	time.Sleep(40 * time.Millisecond)
	if err := p.fail(req, cfg); err != nil {
		if err == errNoResponseSentinel {
			return nil, nil
		}
		return nil, err
	}
	out := []rune(req.Text)
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	h := http.Header{}
	h.Set("X-Model-Seen", req.Model)
	h.Set("X-Key-Seen", fmt.Sprint(string(cfg.APIKey) == reverseKey))
	return &reverseResponse{Text: string(out), Chars: len(out), Meta: Meta{Header: h}}, nil
}

func (p reverseProvider) ReverseStream(ctx context.Context, req *reverseRequest, cfg *Config) iter.Seq2[*reverseChunk, error] {
	return func(yield func(*reverseChunk, error) bool) {
		*p.calls++
		for i, r := range req.Text {
			time.Sleep(10 * time.Millisecond)
			if i == 2 {
				if err := p.fail(req, cfg); err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(&reverseChunk{Text: string(r)}, nil) {
				return
			}
		}
		yield(&reverseChunk{Chars: len(req.Text)}, nil)
	}
}

// plainProvider has no capability at all.
type plainProvider struct{}

func (plainProvider) Name() string { return "plain" }

func TestNewOperationOnTheOnePath(t *testing.T) {
	t.Parallel()
	calls := 0
	c := NewClient(WithProvider(reverseProvider{&calls}), WithProvider(plainProvider{}))
	reverse := func(t *testing.T, model, text string, opts ...Option) (*reverseResponse, error) {
		return do(t.Context(), c, &reverseOp, &reverseRequest{Model: model, Text: text}, opts)
	}

	t.Run("Meta, per-call options, provider-side model, cost", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			resp, err := reverse(t, "rev/tiny", "abc", WithAPIKey(reverseKey))
			require.NoError(t, err)
			assert.Equal(t, "cba", resp.Text)
			assert.Equal(t, "rev", resp.Meta.Provider)
			assert.Equal(t, "tiny", resp.Meta.Model)
			assert.Equal(t, 40*time.Millisecond, resp.Meta.Latency)
			assert.Equal(t, "tiny", resp.Meta.Header.Get("X-Model-Seen"), "the provider got the provider-side model")
			assert.Equal(t, "true", resp.Meta.Header.Get("X-Key-Seen"), "the provider got the per-call key")
			require.NotNil(t, resp.Meta.Cost)
			assert.InDelta(t, 0.03, resp.Meta.Cost.Total, 1e-12)
		})
	})

	t.Run("error normalised and scrubbed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, err := reverse(t, "rev/tiny", "leak", WithAPIKey(reverseKey))
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, KindServer, e.Kind)
			assert.Equal(t, "rev", e.Provider)
			assert.Equal(t, "tiny", e.Model)
			assert.NotContains(t, err.Error(), reverseKey)
			assert.NotContains(t, fmt.Sprintf("%+v", err), reverseKey)
		})
	})

	t.Run("typed provider error completed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, err := reverse(t, "rev/tiny", "busy")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, KindRateLimit, e.Kind)
			assert.Equal(t, time.Second, e.RetryAfter)
			assert.Equal(t, "rev", e.Provider)
			assert.Equal(t, "tiny", e.Model)
		})
	})

	t.Run("nil response and nil error is a bad response", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, err := reverse(t, "rev/tiny", "nothing")
			assert.Equal(t, KindBadResponse, KindOf(err))
		})
	})

	t.Run("invalid request before the provider", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			before := calls
			_, err := reverse(t, "rev/tiny", "")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, KindInvalidRequest, e.Kind)
			assert.Equal(t, "rev", e.Provider)
			assert.Equal(t, before, calls, "the provider was called")
		})
	})

	t.Run("provider without the capability", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, err := reverse(t, "plain/x", "abc")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, KindUnsupported, e.Kind)
			assert.Equal(t, "plain", e.Provider)
			assert.Contains(t, e.Error(), "provider plain does not support reversals")
		})
	})

	t.Run("mock answers from the operation", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			resp, err := reverse(t, "mock/m", "abc")
			require.NoError(t, err)
			assert.Equal(t, "mock:abc", resp.Text)
			assert.Equal(t, "mock", resp.Meta.Provider)
			assert.Equal(t, "m", resp.Meta.Model)
			// WithMockResponse short-circuits a real provider too.
			before := calls
			resp, err = reverse(t, "rev/tiny", "abc", WithMockResponse(MockResponse{}))
			require.NoError(t, err)
			assert.Equal(t, "mock:abc", resp.Text)
			assert.Equal(t, before, calls, "the provider was called")
		})
	})

	t.Run("unknown provider", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, err := reverse(t, "nosuch/x", "abc")
			assert.Equal(t, KindInvalidRequest, KindOf(err))
		})
	})
}

func TestNewStreamedOperationOnTheOnePath(t *testing.T) {
	t.Parallel()
	calls := 0
	c := NewClient(WithProvider(reverseProvider{&calls}), WithProvider(plainProvider{}))
	stream := func(t *testing.T, model, text string, opts ...Option) iter.Seq2[*reverseChunk, error] {
		return doStream(t.Context(), c, &reverseStreamOp, &reverseRequest{Model: model, Text: text}, opts)
	}

	t.Run("Meta shared, last chunk completed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var got strings.Builder
			var last *reverseChunk
			for chunk, err := range stream(t, "rev/tiny", "abcd") {
				require.NoError(t, err)
				require.NotNil(t, chunk.Meta)
				assert.Equal(t, "rev", chunk.Meta.Provider)
				assert.Equal(t, "tiny", chunk.Meta.Model)
				assert.Equal(t, 10*time.Millisecond, chunk.Meta.TimeToFirstToken)
				got.WriteString(chunk.Text)
				last = chunk
			}
			assert.Equal(t, "abcd", got.String())
			require.NotNil(t, last)
			assert.Equal(t, 40*time.Millisecond, last.Meta.Latency)
			require.NotNil(t, last.Meta.Cost)
			assert.InDelta(t, 0.04, last.Meta.Cost.Total, 1e-12)
		})
	})

	t.Run("mid-stream error normalised and scrubbed", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var errs []error
			n := 0
			for chunk, err := range stream(t, "rev/tiny", "leak", WithAPIKey(reverseKey)) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				_ = chunk
				n++
			}
			assert.Equal(t, 2, n)
			require.Len(t, errs, 1)
			var e *Error
			require.ErrorAs(t, errs[0], &e)
			assert.Equal(t, KindServer, e.Kind)
			assert.Equal(t, "rev", e.Provider)
			assert.Equal(t, "tiny", e.Model)
			assert.NotContains(t, fmt.Sprintf("%+v", errs[0]), reverseKey)
		})
	})

	t.Run("single use", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := stream(t, "rev/tiny", "ab")
			for range s {
			}
			for _, err := range s {
				assert.Equal(t, KindInvalidRequest, KindOf(err))
				assert.Contains(t, err.Error(), "a ReverseStream sequence can be ranged over once")
			}
		})
	})

	t.Run("unsupported by a provider and by the mock", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, model := range []string{"plain/x", "mock/x"} {
				for _, err := range stream(t, model, "abc") {
					var e *Error
					require.ErrorAs(t, err, &e)
					assert.Equal(t, KindUnsupported, e.Kind)
					assert.Contains(t, e.Error(), "does not support streaming reversals")
				}
			}
		})
	})

	t.Run("invalid request before the provider", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			before := calls
			for _, err := range stream(t, "rev/tiny", "") {
				assert.Equal(t, KindInvalidRequest, KindOf(err))
			}
			assert.Equal(t, before, calls, "the provider was called")
		})
	})
}
