package ndjson

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type item struct {
	A int    `json:"a"`
	S string `json:"s"`
}

func TestDecoder(t *testing.T) {
	t.Parallel()
	in := "{\"a\":1,\"s\":\"x\"}\n\n{\"a\":2} \r\n  {\"a\":3}\n{\"a\":4"
	d := NewDecoder(iotest.OneByteReader(strings.NewReader(in)))
	var got []item
	for {
		var v item
		err := d.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			got = append(got, item{A: -1, S: err.Error()})
			continue
		}
		got = append(got, v)
	}
	require.Len(t, got, 4)
	assert.Equal(t, []item{{1, "x"}, {2, ""}, {3, ""}}, got[:3])
	assert.Equal(t, -1, got[3].A, "a truncated last line is an error")
}

func TestDecoderErrorsThenRecovers(t *testing.T) {
	t.Parallel()
	d := NewDecoder(strings.NewReader("{\"a\":1} {\"a\":9}\n{\"a\":\"str\"}\nnot json\n{\"a\":2}\n"))
	var v item
	assert.ErrorIs(t, d.Decode(&v), ErrTrailingData)
	assert.Equal(t, `{"a":1} {"a":9}`, string(d.Line()))
	var te *json.UnmarshalTypeError
	err := d.Decode(&v)
	assert.ErrorAs(t, err, &te)
	var de *DecodeError
	assert.ErrorAs(t, err, &de)
	var se *json.SyntaxError
	assert.ErrorAs(t, d.Decode(&v), &se)
	v = item{}
	require.NoError(t, d.Decode(&v))
	assert.Equal(t, 2, v.A)
	assert.Equal(t, io.EOF, d.Decode(&v))
}

func TestDecoderLongLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("z", 2<<20)
	d := NewDecoder(strings.NewReader(`{"s":"a"}` + "\n" + `{"s":"` + long + `"}` + "\n" + `{"s":"b"}`))
	for _, want := range []string{"a", long, "b"} {
		var v item
		require.NoError(t, d.Decode(&v))
		assert.Equal(t, want, v.S)
	}
}

// FuzzDecoder checks the decoder against json.Unmarshal line by line.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{"{}\n[1]\n", "1 2\n", "{\"a\":1}x\n\"s\"\n", "nul\n{}", " \n\t{\"a\":[]}\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d := NewDecoder(strings.NewReader(in))
		for _, line := range reference(in) {
			var got, want any
			err := d.Decode(&got)
			if err == io.EOF {
				t.Fatalf("early EOF before line %q", line)
			}
			werr := json.Unmarshal([]byte(line), &want)
			if (err == nil) != (werr == nil) {
				t.Fatalf("line %q: got error %v, json.Unmarshal says %v", line, err, werr)
			}
			if err == nil {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if !bytes.Equal(g, w) {
					t.Fatalf("line %q: got %s, want %s", line, g, w)
				}
			}
		}
		var v any
		if err := d.Decode(&v); err != io.EOF {
			t.Fatalf("after the last line: got %v, want io.EOF", err)
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	body := streamBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	type msg struct {
		Model   string `json:"model"`
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	}
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(body))
		var m msg
		for d.Decode(&m) == nil {
		}
	}
}
