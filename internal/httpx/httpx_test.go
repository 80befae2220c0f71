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
	b, err := ReadAll(resp)
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
