package openai_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

// embeddingBodies returns an answer of n vectors of dims values, as float
// JSON and as base64, holding the same values.
func embeddingBodies(n, dims int) (float, b64 []byte) {
	rng := rand.New(rand.NewPCG(3, 4))
	var fb, bb bytes.Buffer
	fb.WriteString(`{"object":"list","data":[`)
	bb.WriteString(`{"object":"list","data":[`)
	v := make([]float32, dims)
	raw := make([]byte, 4*dims)
	for i := range n {
		for j := range v {
			v[j] = float32(rng.NormFloat64() / math.Sqrt(float64(dims)))
			binary.LittleEndian.PutUint32(raw[4*j:], math.Float32bits(v[j]))
		}
		if i > 0 {
			fb.WriteByte(',')
			bb.WriteByte(',')
		}
		js, _ := json.Marshal(v)
		fb.WriteString(`{"object":"embedding","index":` + strconv.Itoa(i) + `,"embedding":`)
		fb.Write(js)
		fb.WriteString(`}`)
		bb.WriteString(`{"object":"embedding","index":` + strconv.Itoa(i) + `,"embedding":"` + base64.StdEncoding.EncodeToString(raw) + `"}`)
	}
	tail := `],"model":"text-embedding-3-small","usage":{"prompt_tokens":800,"total_tokens":800}}`
	fb.WriteString(tail)
	bb.WriteString(tail)
	return fb.Bytes(), bb.Bytes()
}

type floorEmbeddingRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
}

type floorEmbeddingResponse[V any] struct {
	Object string `json:"object"`
	Data   []struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding V      `json:"embedding"`
	} `json:"data"`
	Model string `json:"model"`
	Usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	} `json:"usage"`
}

// BenchmarkEmbedding compares one call for 100 inputs answered with
// 1,536-dimension vectors, through llm and the OpenAI translator, with the
// floor: plain net/http and encoding/json decoding the float JSON into
// []float32 (and, for base64, decoding the strings with encoding/base64 and
// encoding/binary).
func BenchmarkEmbedding(b *testing.B) {
	const n, dims = 100, 1536
	floatBody, b64Body := embeddingBodies(n, dims)
	texts := make([]string, n)
	for i := range texts {
		texts[i] = "The food was delicious and the waiter was friendly, input " + strconv.Itoa(i)
	}
	for _, tc := range []struct {
		format string
		body   []byte
	}{{"float", floatBody}, {"base64", b64Body}} {
		srv := providertest.BenchServer(b, "application/json", tc.body)
		b.Run("llmux/"+tc.format, func(b *testing.B) {
			c := llm.NewClient(llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk-bench"), llm.WithHTTPClient(benchClient()))
			req := llm.EmbeddingRequest{Model: "openai/text-embedding-3-small", Input: llm.EmbedTexts(texts...), EncodingFormat: tc.format}
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := c.Embedding(b.Context(), req)
				if err != nil || len(r.Data) != n || len(r.Data[n-1].Embedding) != dims {
					b.Fatal(err)
				}
			}
		})
		b.Run("floor/"+tc.format, func(b *testing.B) {
			hc := benchClient()
			b.SetBytes(int64(len(tc.body)))
			b.ReportAllocs()
			for b.Loop() {
				body, err := json.Marshal(floorEmbeddingRequest{Model: "text-embedding-3-small", Input: texts, EncodingFormat: tc.format})
				if err != nil {
					b.Fatal(err)
				}
				hr, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, srv.URL+"/embeddings", bytes.NewReader(body))
				hr.Header.Set("Content-Type", "application/json")
				hr.Header.Set("Authorization", "Bearer sk-bench")
				res, err := hc.Do(hr)
				if err != nil {
					b.Fatal(err)
				}
				var vecs [][]float32
				if tc.format == "float" {
					var out floorEmbeddingResponse[[]float32]
					err = json.NewDecoder(res.Body).Decode(&out)
					for _, d := range out.Data {
						vecs = append(vecs, d.Embedding)
					}
				} else {
					var out floorEmbeddingResponse[string]
					err = json.NewDecoder(res.Body).Decode(&out)
					for _, d := range out.Data {
						raw, derr := base64.StdEncoding.DecodeString(d.Embedding)
						if derr != nil {
							b.Fatal(derr)
						}
						v := make([]float32, len(raw)/4)
						for i := range v {
							v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
						}
						vecs = append(vecs, v)
					}
				}
				res.Body.Close()
				if err != nil || len(vecs) != n || len(vecs[n-1]) != dims {
					b.Fatal(err)
				}
			}
		})
	}
}
