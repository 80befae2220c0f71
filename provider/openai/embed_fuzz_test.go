package openai

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/llmux/llm"
)

// FuzzEmbeddingDecode holds the embedding decoder to its contract on any
// body: no panic; an *llm.Error, or exactly one non-empty vector per input
// in index order; a float array read exactly as encoding/json reads it into
// []float32; and base64 read as the little-endian float32 values it holds.
func FuzzEmbeddingDecode(f *testing.F) {
	f.Add([]byte(`{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292]}],"model":"m"}`), 1)
	f.Add([]byte(`{"data":[{"index":1,"embedding":"ZicXO4DRGLw4BT27"},{"index":0,"embedding":[1e-45, 3.4028235e38, -0, 1E2]}]}`), 2)
	f.Add([]byte(`{"data":[{"index":0,"embedding":"\/\/\/\/"}]}`), 1)
	f.Add([]byte(`{"data":[{"index":0,"embedding":[1,null,"2"]}]}`), 1)
	f.Add([]byte(`{"data":[{"index":0,"embedding":[ 1 , 2 ]}],"error":null}`), 1)
	f.Fuzz(func(t *testing.T, raw []byte, n int) {
		n = max(0, min(n, 8))
		r, err := decodeEmbedding(raw, n)
		if err != nil {
			var le *llm.Error
			if !errors.As(err, &le) || le.Kind != llm.KindBadResponse {
				t.Fatalf("error %v is not a KindBadResponse *llm.Error", err)
			}
			return
		}
		if len(r.Data) != n {
			t.Fatalf("got %d vectors, want %d", len(r.Data), n)
		}
		for i, d := range r.Data {
			if d.Index != i || len(d.Embedding) == 0 {
				t.Fatalf("data[%d] has index %d and %d values", i, d.Index, len(d.Embedding))
			}
		}
	})
}

// FuzzVector compares the float-array fast path with encoding/json, and
// the base64 path with the bytes it encodes.
func FuzzVector(f *testing.F) {
	f.Add([]byte(`[0.0023064255, -0.009327292,-0.0028842222]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[1e39]`))
	f.Add([]byte(`[-0,1E-2,2e+3]`))
	f.Add([]byte(`[1,null]`))
	f.Add([]byte{0, 0, 0x80, 0x7f, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []float32
		wantErr := json.Unmarshal(b, &want)
		if wantErr == nil && len(b) > 0 && b[0] != '"' {
			var got vector
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("%q: encoding/json reads it, the decoder fails: %v", b, err)
			}
			if len(got) != len(want) {
				t.Fatalf("%q: got %d values, want %d", b, len(got), len(want))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%q: value %d is %v, want %v", b, i, got[i], want[i])
				}
			}
		} else if wantErr != nil && json.Valid(b) && len(b) > 0 && b[0] == '[' {
			var got vector
			if json.Unmarshal(b, &got) == nil {
				t.Fatalf("%q: encoding/json fails (%v), the decoder reads %v", b, wantErr, got)
			}
		}

		// b as the bytes of a base64 vector.
		s, _ := json.Marshal(base64.StdEncoding.EncodeToString(b))
		var got vector
		err := json.Unmarshal(s, &got)
		if len(b)%4 != 0 {
			if err == nil {
				t.Fatalf("%d bytes decode as float32 values", len(b))
			}
			return
		}
		finite := true
		for i := 0; i < len(b); i += 4 {
			bits := binary.LittleEndian.Uint32(b[i:])
			if bits&0x7f800000 == 0x7f800000 {
				finite = false
			}
		}
		if !finite {
			if err == nil {
				t.Fatal("a non-finite value decoded")
			}
			return
		}
		if err != nil || len(got) != len(b)/4 {
			t.Fatalf("%d bytes: %d values, %v", len(b), len(got), err)
		}
		for i := range got {
			if math.Float32bits(got[i]) != binary.LittleEndian.Uint32(b[4*i:]) {
				t.Fatalf("value %d differs", i)
			}
		}
	})
}
