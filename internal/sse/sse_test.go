package sse

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/llmux/llm/internal/limit"
)

type ev struct{ typ, data, id string }

func collect(t testing.TB, r io.Reader) ([]ev, error) {
	t.Helper()
	d := NewDecoder(r)
	var out []ev
	for {
		e, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev{string(e.Type), string(e.Data), string(e.ID)})
	}
}

func TestDecoder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []ev
	}{
		{"lf", "data: a\n\ndata: b\n\n", []ev{{"", "a", ""}, {"", "b", ""}}},
		{"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", []ev{{"", "a", ""}, {"", "b", ""}}},
		{"cr", "data: a\r\rdata: b\r\r", []ev{{"", "a", ""}, {"", "b", ""}}},
		{"mixed", "data: a\r\n\ndata: b\r\rdata: c\n\r\n", []ev{{"", "a", ""}, {"", "b", ""}, {"", "c", ""}}},
		{"multiline data", "data: a\ndata:  b\ndata\n\n", []ev{{"", "a\n b\n", ""}}},
		{"no space after colon", "data:x\n\n", []ev{{"", "x", ""}}},
		{"event and id", "event: message_start\nid: 7\ndata: {}\n\n", []ev{{"message_start", "{}", "7"}}},
		{"comments ignored", ": ping\n\n: keep-alive\ndata: z\n\n", []ev{{"", "z", ""}}},
		{"event without data is dropped", "event: ping\n\ndata: q\n\n", []ev{{"", "q", ""}}},
		{"done marker", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []ev{{"", `{"a":1}`, ""}, {"", "[DONE]", ""}}},
		{"missing final blank line", "data: a\n\ndata: last", []ev{{"", "a", ""}, {"", "last", ""}}},
		{"retry and unknown fields", "retry: 10\nfoo: bar\ndata: k\n\n", []ev{{"", "k", ""}}},
		{"bom", "\xEF\xBB\xBFdata: a\n\n", []ev{{"", "a", ""}}},
		{"empty data field", "data:\n\n", []ev{{"", "", ""}}},
		{"colon in value", "data: a:b:c\n\n", []ev{{"", "a:b:c", ""}}},
		{"empty", "", nil},
		{"only blank lines", "\n\n\r\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in)), iotest.HalfReader(strings.NewReader(tc.in))} {
				got, err := collect(t, r)
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if !equal(got, tc.want) {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func equal(a, b []ev) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLongLines(t *testing.T) {
	t.Parallel()
	for _, size := range []int{64 << 10, 1 << 20, 5 << 20} {
		payload := strings.Repeat("QUJD", size/4)
		in := "data: " + payload + "\n\ndata: after\n\n"
		got, err := collect(t, iotest.HalfReader(strings.NewReader(in)))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if len(got) != 2 || got[0].data != payload || got[1].data != "after" {
			t.Fatalf("size %d: got %d events, first len %d", size, len(got), len(got[0].data))
		}
	}
}

func TestMaxEventSize(t *testing.T) {
	t.Parallel()
	d := NewDecoder(strings.NewReader("data: " + strings.Repeat("x", 100000) + "\n\n"))
	d.SetMaxEventSize(1000)
	if _, err := d.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("got %v, want ErrEventTooLarge", err)
	}
	// Many data lines adding up past the limit are refused too.
	d = NewDecoder(strings.NewReader(strings.Repeat("data: 0123456789\n", 200) + "\n"))
	d.SetMaxEventSize(1000)
	if _, err := d.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("got %v, want ErrEventTooLarge", err)
	}
}

// TestDefaultMaxEventSize checks the default cap: an event just under 8 MiB
// decodes, one just over is a *limit.Error naming the cap, and neither
// makes the buffer grow past the cap.
func TestDefaultMaxEventSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		size     int
		tooLarge bool
	}{{limit.DefaultEvent - 64, false}, {limit.DefaultEvent + 1, true}} {
		d := NewDecoder(strings.NewReader("data: " + strings.Repeat("x", c.size) + "\n\n"))
		ev, err := d.Next()
		var le *limit.Error
		switch {
		case c.tooLarge && (!errors.As(err, &le) || le.Max != limit.DefaultEvent || !errors.Is(err, ErrEventTooLarge)):
			t.Errorf("size %d: got %v, want a *limit.Error with the 8 MiB cap", c.size, err)
		case !c.tooLarge && (err != nil || len(ev.Data) != c.size):
			t.Errorf("size %d: got %d bytes, %v; want the event", c.size, len(ev.Data), err)
		}
		if len(d.buf) > limit.DefaultEvent {
			t.Errorf("size %d: buffer grew to %d bytes, past the cap", c.size, len(d.buf))
		}
	}
}

func TestReadErrorIsReturned(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: trunc"), iotest.ErrReader(boom))
	d := NewDecoder(r)
	e, err := d.Next()
	if err != nil || string(e.Data) != "a" {
		t.Fatalf("first event: %q %v", e.Data, err)
	}
	if _, err := d.Next(); !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error (a truncated event must not be dispatched)", err)
	}
}

// reference is a deliberately simple decoder over the whole input, used to
// check the streaming decoder on fuzzed input.
func reference(in string) []ev {
	in = strings.TrimPrefix(in, "\xEF\xBB\xBF")
	in = strings.ReplaceAll(in, "\r\n", "\n")
	in = strings.ReplaceAll(in, "\r", "\n")
	var out []ev
	var data []string
	var typ, id string
	has := false
	flush := func() {
		if has {
			out = append(out, ev{typ, strings.Join(data, "\n"), id})
		}
		data, typ, id, has = nil, "", "", false
	}
	lines := strings.Split(in, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	for _, l := range lines {
		if l == "" {
			flush()
			continue
		}
		if l[0] == ':' {
			continue
		}
		f, v, ok := strings.Cut(l, ":")
		if ok {
			v = strings.TrimPrefix(v, " ")
		}
		switch f {
		case "data":
			data = append(data, v)
			has = true
		case "event":
			typ = v
		case "id":
			if !strings.Contains(v, "\x00") {
				id = v
			}
		}
	}
	flush()
	return out
}

func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		"data: a\n\n", "event: x\r\ndata: y\r\n\r\n", "data: a\rdata: b\r\r", ": c\n\ndata\n\n",
		"data: [DONE]\n\n", "id: 1\ndata: z", "\xEF\xBB\xBFdata: q\n\n", "\r\n\r", "data: a\r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		want := reference(in)
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
			got, err := collect(t, r)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if !equal(got, want) {
				t.Fatalf("input %q:\n got %q\nwant %q", in, got, want)
			}
		}
	})
}

func streamBody(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		_ = i
		b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"hello "},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString("data: [DONE]\n\n")
	return b.Bytes()
}

func BenchmarkDecoder(b *testing.B) {
	body := streamBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(body))
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
