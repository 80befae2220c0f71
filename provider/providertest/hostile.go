package providertest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/llmux/llm"
)

// This file holds the hostile-server battery: answers that are not what the
// protocol promises, each of which must end the call with the exact typed
// error (or, where one exists, the correct result), without a panic or a
// leaked goroutine. The outcomes, for every provider:
//
//   - a 200 whose body is HTML, empty, or cut short: KindBadResponse;
//   - a 200 carrying the API's JSON error envelope: the envelope's own Kind,
//     streamed or not;
//   - a stream that ends (cleanly) after any frame before its terminator:
//     KindBadResponse;
//   - a body or stream whose connection breaks mid-read: KindConnection;
//   - a body past llm.WithMaxResponseBytes, or a stream event past
//     llm.WithMaxEventBytes: KindBadResponse naming the option;
//   - invalid UTF-8 in the text: the text, with U+FFFD in place of each
//     invalid byte (as encoding/json decodes it);
//   - a server that dribbles its answer: KindTimeout at the context's
//     deadline, promptly;
//   - an answer with 100,000 choices: decoded whole.

// Hostile deadlines: short, since each slow case waits for one.
const (
	slowDeadline = 150 * time.Millisecond
	slowGrace    = 2 * time.Second // how late after the deadline the call may end
)

// hostile runs the battery.
func hostile(t *testing.T, h Harness) {
	t.Run("Completion", func(t *testing.T) { hostileCompletion(t, h) })
	t.Run("Stream", func(t *testing.T) { hostileStream(t, h) })
}

// reply is a canned answer: status 200, content type and body.
func reply(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
}

// chunked writes body without a Content-Length, so that the client cannot
// know its size before reading it.
func chunked(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		w.(http.Flusher).Flush()
	}
}

// cutConnection promises body (a Content-Length when length is set), writes
// its first half and breaks the connection.
func cutConnection(contentType string, body []byte, length bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		if length {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // net/http closes the connection, unterminated
	}
}

// dribble sends the headers, then body one byte every 20ms until the client
// goes away.
func dribble(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leave
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for i := 0; ; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := w.Write(body[i%len(body) : i%len(body)+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

// noHeaders never answers until the client goes away.
func noHeaders(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leave
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

const htmlPage = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"

// invalidUTF8 replaces the marker in b by as many invalid UTF-8 bytes, so
// that the frame keeps its length.
const utf8Marker = "MARK"

var invalidBytes = []byte{0xff, 0xfe, 0xc3, 0x28} // 0xc3 0x28: a lead byte without its continuation

func withInvalidUTF8(b []byte) []byte { return bytes.ReplaceAll(b, []byte(utf8Marker), invalidBytes) }

// wantUTF8 is the text a decoder must produce from "ok-" + invalidBytes +
// "-ok": each invalid byte becomes U+FFFD, the valid '(' stays.
const wantUTF8 = "ok-\uFFFD\uFFFD\uFFFD(-ok"

func hostileCompletion(t *testing.T, h Harness) {
	good := h.Completion("Hello, world!", usage)
	big := h.Completion(strings.Repeat("z", 8<<10), usage)
	type outcome struct {
		kind llm.Kind // 0: success
		text string   // the text a success must have
		msg  string   // a string the error must contain
	}
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    []llm.Option
		want    outcome
	}{
		{"HTML200", reply("text/html; charset=utf-8", []byte(htmlPage)), nil, outcome{kind: llm.KindBadResponse}},
		{"HTML200NoContentType", reply("", []byte(htmlPage)), nil, outcome{kind: llm.KindBadResponse}},
		{"Envelope200", reply("application/json", []byte(h.EnvelopeBody)), nil, outcome{kind: h.EnvelopeKind}},
		{"Empty200", reply("application/json", nil), nil, outcome{kind: llm.KindBadResponse}},
		{"EmptyObject200", reply("application/json", []byte("{}")), nil, outcome{kind: llm.KindBadResponse}},
		{"Null200", reply("application/json", []byte("null")), nil, outcome{kind: llm.KindBadResponse}},
		{"TruncatedBody", chunked("application/json", good[:len(good)/2]), nil, outcome{kind: llm.KindBadResponse}},
		{"CutConnection", cutConnection("application/json", good, true), nil, outcome{kind: llm.KindConnection}},
		{"OversizedBody", reply("application/json", big), []llm.Option{llm.WithMaxResponseBytes(4 << 10)},
			outcome{kind: llm.KindBadResponse, msg: "llm.WithMaxResponseBytes"}},
		{"OversizedBodyChunked", chunked("application/json", big), []llm.Option{llm.WithMaxResponseBytes(4 << 10)},
			outcome{kind: llm.KindBadResponse, msg: "llm.WithMaxResponseBytes"}},
		{"InvalidUTF8", reply("application/json", withInvalidUTF8(h.Completion("ok-"+utf8Marker+"-ok", usage))), nil, outcome{text: wantUTF8}},
	}
	if h.ManyChoices != nil {
		const n = 100_000
		cases = append(cases, struct {
			name    string
			handler http.HandlerFunc
			opts    []llm.Option
			want    outcome
		}{"100kChoices", reply("application/json", h.ManyChoices(n)), nil, outcome{text: strings.Repeat("x", n)}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, h, c.handler)
			resp, err := llm.Completion(t.Context(), request(h.Model), append(e.opts, c.opts...)...)
			if c.want.kind == 0 {
				if err != nil {
					t.Fatalf("got %v, want a result", err)
				}
				if got := allText(resp); got != c.want.text {
					t.Errorf("text: got %.60q (%d bytes), want %.60q (%d bytes)", got, len(got), c.want.text, len(c.want.text))
				}
				return
			}
			checkKind(t, "Completion", err, c.want.kind, 0)
			if c.want.msg != "" && err != nil && !strings.Contains(err.Error(), c.want.msg) {
				t.Errorf("error %q does not name %s", err, c.want.msg)
			}
		})
	}
	t.Run("Slowloris", func(t *testing.T) {
		slow(t, h, dribble("application/json", good), false)
	})
	t.Run("NoHeaders", func(t *testing.T) {
		slow(t, h, noHeaders, false)
	})
}

// allText is the text of every choice, concatenated: one choice's text, or
// n choices' texts in order.
func allText(resp *llm.CompletionResponse) string {
	var b strings.Builder
	for _, c := range resp.Choices {
		b.WriteString(c.Message.Content.Text)
	}
	return b.String()
}

func hostileStream(t *testing.T, h Harness) {
	frames := h.StreamFrames([]string{"one ", "two ", "three"}, usage)
	all := bytes.Join(frames, nil)
	ct := h.StreamContentType
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    []llm.Option
		kind    llm.Kind
		msg     string
	}{
		{"HTML200", reply("text/html; charset=utf-8", []byte(htmlPage)), nil, llm.KindBadResponse, ""},
		{"HTML200NoContentType", reply("", []byte(htmlPage)), nil, llm.KindBadResponse, ""},
		{"Envelope200", reply("application/json", []byte(h.EnvelopeBody)), nil, h.EnvelopeKind, ""},
		{"Empty200", reply(ct, nil), nil, llm.KindBadResponse, ""},
		{"CutConnection", cutConnection(ct, all, false), nil, llm.KindConnection, ""},
		{"OversizedEvent", func(w http.ResponseWriter, r *http.Request) {
			h.writeStream(w, h.StreamFrames([]string{"a", strings.Repeat("b", 64<<10), "c"}, usage))
		}, []llm.Option{llm.WithMaxEventBytes(16 << 10)}, llm.KindBadResponse, "llm.WithMaxEventBytes"},
	}
	// A stream that ends cleanly after any frame but the last is cut off.
	for i := 1; i < len(frames); i++ {
		name := "CutAfterFrame" + strconv.Itoa(i)
		if i == len(frames)-1 {
			name = "NoTerminator"
		}
		cases = append(cases, struct {
			name    string
			handler http.HandlerFunc
			opts    []llm.Option
			kind    llm.Kind
			msg     string
		}{name, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, frames[:i]) }, nil, llm.KindBadResponse, ""})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, h, c.handler)
			err := streamErr(t, llm.CompletionStream(t.Context(), request(h.Model), append(e.opts, c.opts...)...))
			checkKind(t, "CompletionStream", err, c.kind, 0)
			if c.msg != "" && err != nil && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not name %s", err, c.msg)
			}
		})
	}
	t.Run("InvalidUTF8", func(t *testing.T) {
		if h.BinaryFrames {
			t.Skip("the harness's frames are checksummed: their bytes cannot be edited")
		}
		fs := h.StreamFrames([]string{"ok-" + utf8Marker, "-ok"}, usage)
		for i := range fs {
			fs[i] = withInvalidUTF8(fs[i])
		}
		e := newEnv(t, h, func(w http.ResponseWriter, r *http.Request) { h.writeStream(w, fs) })
		resp, err := llm.Collect(llm.CompletionStream(t.Context(), request(h.Model), e.opts...))
		if err != nil {
			t.Fatalf("got %v, want the text", err)
		}
		if got := resp.Text(); got != wantUTF8 || !utf8.ValidString(got) {
			t.Errorf("text: got %q, want %q", got, wantUTF8)
		}
	})
	t.Run("Slowloris", func(t *testing.T) {
		slow(t, h, dribble(ct, all), true)
	})
	t.Run("NoHeaders", func(t *testing.T) {
		slow(t, h, noHeaders, true)
	})
}

// streamErr ranges over s and returns its one error, failing t if it yields
// none, more than one, or anything after it.
func streamErr(t *testing.T, s func(func(*llm.Chunk, error) bool)) error {
	t.Helper()
	var first error
	for c, err := range s {
		if first != nil {
			t.Errorf("the stream yielded (%v, %v) after its error", c, err)
		}
		if err != nil {
			first = err
			continue
		}
		if c == nil {
			t.Error("the stream yielded a nil chunk without an error")
		}
	}
	if first == nil {
		t.Error("the stream ended without an error")
	}
	return first
}

// slow calls the provider with a short deadline against a server that never
// finishes its answer: the call must end with KindTimeout (and
// context.DeadlineExceeded) soon after the deadline.
func slow(t *testing.T, h Harness, handler http.HandlerFunc, stream bool) {
	e := newEnv(t, h, handler)
	ctx, cancel := context.WithTimeout(t.Context(), slowDeadline)
	defer cancel()
	start := time.Now()
	var err error
	if stream {
		_, err = llm.Collect(llm.CompletionStream(ctx, request(h.Model), e.opts...))
	} else {
		_, err = llm.Completion(ctx, request(h.Model), e.opts...)
	}
	if took := time.Since(start); took > slowDeadline+slowGrace {
		t.Errorf("the call took %v, want it to end at its %v deadline", took, slowDeadline)
	}
	checkKind(t, "call", err, llm.KindTimeout, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want one matching context.DeadlineExceeded", err)
	}
}
