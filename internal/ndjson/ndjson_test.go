package ndjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/llmux/llm/internal/limit"
)

func readAll(r io.Reader) ([]string, error) {
	d := NewReader(r)
	var out []string
	for {
		line, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, string(line))
	}
}

// reference is the obvious, allocating implementation Reader must agree with.
func reference(in string) []string {
	var out []string
	for _, l := range strings.Split(in, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func readers(in string) map[string]io.Reader {
	return map[string]io.Reader{
		"whole":    strings.NewReader(in),
		"one byte": iotest.OneByteReader(strings.NewReader(in)),
		"half":     iotest.HalfReader(strings.NewReader(in)),
		"data EOF": iotest.DataErrReader(strings.NewReader(in)),
	}
}

func TestReader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"lf", "{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}},
		{"crlf", "{\"a\":1}\r\n{\"b\":2}\r\n", []string{`{"a":1}`, `{"b":2}`}},
		{"no final newline", "{\"a\":1}\n{\"b\":2}", []string{`{"a":1}`, `{"b":2}`}},
		{"blank lines skipped", "\n\n{\"a\":1}\n \t\n\r\n{\"b\":2}\n\n", []string{`{"a":1}`, `{"b":2}`}},
		{"lone cr is not a terminator", "a\rb\n", []string{"a\rb"}},
		{"trailing cr at eof", "a\r", []string{"a"}},
		{"empty", "", nil},
		{"only newlines", "\n\r\n\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for name, r := range readers(tc.in) {
				got, err := readAll(r)
				require.NoError(t, err, name)
				assert.Equal(t, tc.want, got, name)
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	t.Parallel()
	long := `{"content":"` + strings.Repeat("x", 3<<20) + `"}`
	in := "{\"a\":1}\n" + long + "\n{\"b\":2}\n"
	for name, r := range readers(in) {
		if name == "one byte" {
			continue // 3 MB one byte at a time is slow and adds nothing
		}
		got, err := readAll(r)
		require.NoError(t, err, name)
		require.Len(t, got, 3, name)
		assert.Equal(t, long, got[1], name)
	}
}

func TestMaxLineSize(t *testing.T) {
	t.Parallel()
	d := NewReader(strings.NewReader("short\n" + strings.Repeat("y", 100_000) + "\n"))
	d.SetMaxLineSize(50_000)
	line, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, "short", string(line))
	_, err = d.Next()
	assert.ErrorIs(t, err, ErrLineTooLarge)
}

// TestDefaultMaxLineSize checks the default cap: a line just under 8 MiB is
// read, one just over is a *limit.Error naming the cap, and the buffer never
// grows past the cap.
func TestDefaultMaxLineSize(t *testing.T) {
	t.Parallel()
	d := NewReader(strings.NewReader(strings.Repeat("a", limit.DefaultEvent-64) + "\n" + strings.Repeat("b", limit.DefaultEvent+1) + "\n"))
	line, err := d.Next()
	require.NoError(t, err)
	assert.Len(t, line, limit.DefaultEvent-64)
	_, err = d.Next()
	var le *limit.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, limit.DefaultEvent, le.Max)
	assert.ErrorIs(t, err, ErrLineTooLarge)
	assert.LessOrEqual(t, len(d.buf), limit.DefaultEvent)
}

func TestReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("{\"a\":1}\n{\"trunc"), iotest.ErrReader(boom))
	d := NewReader(r)
	line, err := d.Next()
	require.NoError(t, err)
	assert.Equal(t, `{"a":1}`, string(line))
	_, err = d.Next()
	assert.ErrorIs(t, err, boom, "a truncated line is an error, not a line")
	_, err = d.Next()
	assert.ErrorIs(t, err, boom, "the error stays")
}

func TestNoProgress(t *testing.T) {
	t.Parallel()
	_, err := NewReader(zeroReader{}).Next()
	assert.ErrorIs(t, err, io.ErrNoProgress)
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestZeroAllocsAfterWarmup(t *testing.T) {
	body := streamBody(200)
	r := bytes.NewReader(body)
	d := NewReader(r)
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(body)
		d.r, d.start, d.end, d.eof, d.err = r, 0, 0, false, nil
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	})
	assert.Zero(t, allocs, "allocations per 200-line body after warm-up")
}

func FuzzReader(f *testing.F) {
	for _, s := range []string{"{}\n", "a\r\nb", "\n\n", "a\rb\r", " \t\n{}", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		want := reference(in)
		for name, r := range readers(in) {
			got, err := readAll(r)
			if err != nil {
				t.Fatalf("%s: error: %v", name, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%s: input %q: got %q, want %q", name, in, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s: input %q: got %q, want %q", name, in, got, want)
				}
			}
		}
	})
}

func streamBody(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		line, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00",
			"message": map[string]any{"role": "assistant", "content": strings.Repeat("tok ", i%5+1)}, "done": false})
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func BenchmarkReader(b *testing.B) {
	body := streamBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d := NewReader(bytes.NewReader(body))
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
