package httpx

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llm/internal/limit"
)

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		h    http.Header
		want time.Duration
	}{
		{nil, 0},
		{http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{http.Header{"Retry-After": {"0.5"}}, 500 * time.Millisecond},
		{http.Header{"Retry-After": {"-1"}}, 0},
		{http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"9"}}, 250 * time.Millisecond},
		// Values past what a Duration holds saturate instead of wrapping negative.
		{http.Header{"Retry-After": {"1e300"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {"9223372036854775807"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {"+Inf"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {"1e400"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {"-1e400"}}, 0},
		{http.Header{"Retry-After": {"NaN"}}, 0},
		{http.Header{"Retry-After-Ms": {"1e300"}}, MaxRetryAfter},
		{http.Header{"Retry-After-Ms": {"9223372036854775807"}}, MaxRetryAfter},
		{http.Header{"Retry-After": {now.AddDate(1000, 0, 0).Format(http.TimeFormat)}}, MaxRetryAfter},
	}
	for _, c := range cases {
		if got := retryAfter(c.h, now); got != c.want {
			t.Errorf("retryAfter(%v): got %v, want %v", c.h, got, c.want)
		}
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/ok":
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-K") != "v" {
				t.Errorf("got %s %q %q", r.Method, r.Header.Get("Content-Type"), r.Header.Get("X-K"))
			}
			_, _ = w.Write(b)
		default:
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(strings.Repeat("e", MaxErrorBody+10)))
		}
	}))
	defer srv.Close()
	resp, err := Do(t.Context(), srv.Client(), Request{URL: srv.URL + "/ok", Header: http.Header{"X-K": {"v"}}, Body: []byte(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadAll(resp, 0)
	if err != nil || string(b) != `{"a":1}` {
		t.Fatalf("got %q %v, want the echoed body", b, err)
	}
	_, err = Do(t.Context(), srv.Client(), Request{URL: srv.URL + "/fail", Body: []byte(`{}`)})
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 429 || len(se.Body) != MaxErrorBody || RetryAfter(se.Header) != 2*time.Second {
		t.Fatalf("got %v, want a 429 StatusError with a bounded body", err)
	}
	if se.Error() != "http status 429" {
		t.Errorf("got %q", se.Error())
	}
}

// TestReadAllCap checks the body cap: a body up to the cap is read whole,
// with or without a Content-Length; one past it is a *limit.Error naming the
// cap, refused unread when its Content-Length says so; a cap of 0 is the
// default.
func TestReadAllCap(t *testing.T) {
	t.Parallel()
	const max = 1000
	cases := []struct {
		name    string
		size    int
		chunked bool // no Content-Length
		cap     int
		wantErr int // the cap in the error, 0 for a successful read
	}{
		{"at the cap", max, false, max, 0},
		{"at the cap, chunked", max, true, max, 0},
		{"past the cap", max + 1, false, max, max},
		{"past the cap, chunked", max + 1, true, max, max},
		{"empty", 0, false, max, 0},
		{"default cap", 3 << 20, true, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body := strings.Repeat("b", c.size)
			var read int64
			r := &countingReader{r: strings.NewReader(body), n: &read}
			resp := &http.Response{Body: io.NopCloser(r), ContentLength: int64(c.size)}
			if c.chunked {
				resp.ContentLength = -1
			}
			got, err := ReadAll(resp, c.cap)
			if c.wantErr == 0 {
				if err != nil || string(got) != body {
					t.Fatalf("got %d bytes, %v; want the %d-byte body", len(got), err, c.size)
				}
				return
			}
			var le *limit.Error
			if !errors.As(err, &le) || le.Max != c.wantErr || got != nil {
				t.Fatalf("got %d bytes, %v; want a *limit.Error with cap %d", len(got), err, c.wantErr)
			}
			if !c.chunked && read != 0 {
				t.Errorf("read %d bytes of a body whose Content-Length is past the cap, want 0", read)
			}
		})
	}
	// The default cap refuses a body past it.
	resp := &http.Response{Body: io.NopCloser(strings.NewReader("")), ContentLength: limit.DefaultBody + 1}
	if _, err := ReadAll(resp, 0); err == nil || err.Error() != limit.Body(limit.DefaultBody).Error() {
		t.Errorf("got %v, want the default cap's error", err)
	}
}

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

func TestIsConnectionError(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = Do(t.Context(), &http.Client{}, Request{URL: "http://" + addr + "/", Body: []byte("{}")})
	if !IsConnectionError(err) {
		t.Errorf("refused: got %v (%T), want a connection error", err, err)
	}
	if IsConnectionError(errors.New("other")) || IsConnectionError(nil) {
		t.Error("a plain error is not a connection error")
	}
	if !IsConnectionError(io.ErrUnexpectedEOF) {
		t.Error("unexpected EOF is a connection error")
	}
}
