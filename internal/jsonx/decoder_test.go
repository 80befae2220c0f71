package jsonx

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecoder(t *testing.T) {
	t.Parallel()
	var d Decoder
	type item struct {
		A int `json:"a"`
	}
	var v item
	require.NoError(t, d.Decode([]byte(`{"a":1}`), &v))
	assert.Equal(t, 1, v.A)
	require.NoError(t, d.Decode([]byte(` {"a":2} `), &v))
	assert.Equal(t, 2, v.A)
	assert.ErrorIs(t, d.Decode([]byte(`{"a":3} {"a":4}`), &v), ErrTrailingData)
	var te *json.UnmarshalTypeError
	assert.ErrorAs(t, d.Decode([]byte(`{"a":"x"}`), &v), &te)
	assert.Error(t, d.Decode([]byte(``), &v))
	assert.Error(t, d.Decode([]byte(`{"a":`), &v))
	require.NoError(t, d.Decode([]byte(`{"a":5}`), &v), "recovers after errors")
	assert.Equal(t, 5, v.A)
}

func TestDecoderAllocs(t *testing.T) {
	var d Decoder
	data := []byte(`{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"x"}}}}`)
	type ev struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}
	var v ev
	n := testing.AllocsPerRun(100, func() { _ = d.Decode(data, &v) })
	m := testing.AllocsPerRun(100, func() { _ = json.Unmarshal(data, &v) })
	assert.Less(t, n, m, "reusing the decoder allocates less than json.Unmarshal")
}

// FuzzDecoder checks Decoder against json.Unmarshal on a sequence of
// documents.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{"{}\x00[1]", "1 2\x00\"s\"", "{\"a\":1}x\x00{}", "nul\x00{}", " \x00\t{\"a\":[]}\r\n", "0\v"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d Decoder
		for _, doc := range bytes.Split([]byte(in), []byte{0}) {
			var got, want any
			err := d.Decode(doc, &got)
			werr := json.Unmarshal(doc, &want)
			if (err == nil) != (werr == nil) {
				t.Fatalf("%q: got error %v, json.Unmarshal says %v", doc, err, werr)
			}
			if err == nil {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				if !bytes.Equal(g, w) {
					t.Fatalf("%q: got %s, want %s", doc, g, w)
				}
			}
		}
	})
}
