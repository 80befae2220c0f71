// Package httpx is the one HTTP send path of the module: it sends a request
// built by a provider, returns the response on success and captures the status,
// headers and (bounded) body of a failed response in a *StatusError for the
// provider's classifier.
package httpx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmux/llm/internal/limit"
)

// MaxErrorBody is the most bytes of an error response body kept for
// classification.
const MaxErrorBody = 1 << 20

// StatusError is a non-2xx HTTP response.
type StatusError struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Error implements error. The body is not included: classifiers extract the
// provider's message from it.
func (e *StatusError) Error() string {
	return fmt.Sprintf("http status %d", e.StatusCode)
}

// Request is an outgoing request.
type Request struct {
	Method string // defaults to POST
	URL    string
	Header http.Header
	Body   []byte
}

// DefaultClient returns the shared client used when a caller configures none.
// Its transport keeps more idle connections per host than net/http's default
// (2), so that concurrent calls to one provider reuse connections instead of
// dialing anew. It sets no overall timeout: deadlines come from the context.
var DefaultClient = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 128
	t.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: t}
})

// Do sends req with client (DefaultClient when nil). A response with a 2xx
// status is returned open; the caller must close its body. Any other status is
// read (up to MaxErrorBody), closed and returned as a *StatusError.
func Do(ctx context.Context, client *http.Client, req Request) (*http.Response, error) {
	if client == nil {
		client = DefaultClient()
	}
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, req.URL, body)
	if err != nil {
		return nil, err
	}
	if req.Header != nil {
		hr.Header = req.Header
	}
	if req.Body != nil && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxErrorBody))
	return nil, &StatusError{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}
}

// ReadAll reads and closes a response body of at most max bytes (0 or less
// means limit.DefaultBody), sizing its buffer from the Content-Length when
// the server sent one. A larger body is a *limit.Error: refused before
// reading when its Content-Length says so, else as soon as the read passes
// max, so a call never holds more than about max bytes of body.
func ReadAll(resp *http.Response, max int) ([]byte, error) {
	defer resp.Body.Close()
	if max <= 0 {
		max = limit.DefaultBody
	}
	if n := resp.ContentLength; n > int64(max) {
		return nil, limit.Body(max)
	} else if n > 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > max {
		return nil, limit.Body(max)
	}
	return b, nil
}

// MaxRetryAfter is the longest delay RetryAfter returns: the largest
// time.Duration, as time.Time.Sub saturates. A header asking for longer (a
// huge number of seconds, a date centuries ahead, "+Inf") gives
// MaxRetryAfter instead of wrapping to a negative duration.
const MaxRetryAfter = time.Duration(math.MaxInt64)

// RetryAfter returns the delay a server asked for in the retry-after-ms or
// Retry-After (seconds or an HTTP date) headers, or 0 when none is present or
// parsable. It is never negative and saturates at MaxRetryAfter.
func RetryAfter(h http.Header) time.Duration {
	return retryAfter(h, time.Now())
}

func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil || isRange(err) {
			if d := saturate(ms, float64(time.Millisecond)); d > 0 {
				return d
			}
		}
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil || isRange(err) {
			return saturate(s, float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			if d := t.Sub(now); d > 0 { // Sub saturates
				return d
			}
		}
	}
	return 0
}

// isRange reports a ParseFloat error for a value out of float64's range,
// which ParseFloat returns as ±Inf.
func isRange(err error) bool {
	var ne *strconv.NumError
	return errorsAs(err, &ne) && ne.Err == strconv.ErrRange
}

// saturate returns v units as a Duration: 0 for a value that is not
// positive (or NaN), MaxRetryAfter for one past the largest Duration.
func saturate(v, unit float64) time.Duration {
	if !(v > 0) {
		return 0
	}
	d := v * unit
	if d >= float64(MaxRetryAfter) { // float64(MaxInt64) is 2^63, itself out of range
		return MaxRetryAfter
	}
	return time.Duration(d)
}

// IsConnectionError reports whether err is a failure to reach the server
// (dial, DNS, reset, unexpected EOF) rather than an answer from it.
func IsConnectionError(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errorsAs(err, &oe), errorsAs(err, &de):
		return true
	case errorsAs(err, &ne):
		return !ne.Timeout()
	}
	return err == io.ErrUnexpectedEOF || isErr(err, io.ErrUnexpectedEOF)
}

// Media types that a 2xx answer to a streamed request may carry instead of
// a stream, as StreamMediaType sorts them.
const (
	MediaStream = iota // a stream, or nothing says otherwise
	MediaJSON          // JSON: an error envelope, or a whole answer
	MediaHTML          // HTML: a proxy's or a portal's page
)

// StreamMediaType sorts the Content-Type of a 2xx answer to a streamed
// request: MediaJSON (application/json or any +json type), MediaHTML
// (text/html, application/xhtml+xml) or MediaStream for anything else,
// missing or unparsable types included, which the stream decoder then
// judges by content.
func StreamMediaType(h http.Header) int {
	ct := h.Get("Content-Type")
	if ct == "" {
		return MediaStream
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return MediaStream
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return MediaJSON
	case mt == "text/html" || mt == "application/xhtml+xml":
		return MediaHTML
	}
	return MediaStream
}

// NotStreamError is a 2xx answer to a streamed request that is an HTML page
// rather than a stream.
type NotStreamError struct {
	ContentType string
}

// Error implements error.
func (e *NotStreamError) Error() string {
	return "expected a stream, got a page of " + e.ContentType
}

// BadResponse marks the error as an answer that is not what the protocol
// promises, for the client to classify as such.
func (*NotStreamError) BadResponse() {}

// StreamBody returns what to decode a 2xx answer to a streamed request
// from. An answer labelled as a stream (or not labelled) is its body; an
// HTML page is a *NotStreamError; a JSON answer is read whole (up to max
// bytes, see ReadAll) and returned as raw too, for the caller to look for
// an error envelope in before decoding it as a stream (which a few servers
// mislabel; a JSON answer that is not one then fails as a stream cut off).
func StreamBody(resp *http.Response, max int) (body io.Reader, raw []byte, err error) {
	switch StreamMediaType(resp.Header) {
	case MediaHTML:
		return nil, nil, &NotStreamError{ContentType: resp.Header.Get("Content-Type")}
	case MediaJSON:
		raw, err := ReadAll(resp, max)
		if err != nil {
			return nil, nil, err
		}
		return bytes.NewReader(raw), raw, nil
	}
	return resp.Body, nil, nil
}

// maxDrain bounds what Drain reads.
const maxDrain = 64 << 10

// Drain reads (at most 64 KiB of) what follows a stream's final event,
// normally only the end of the chunked body, so that net/http can reuse the
// connection: a body closed before its end closes the connection instead,
// costing the next call a new dial and TLS handshake. Canceling the
// request's context ends the read.
func Drain(body io.Reader) { _, _ = io.CopyN(io.Discard, body, maxDrain) }
