package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
)

// Embedding implements llm.Embedder with the /embeddings endpoint. Unless
// the request names an encoding format, it asks for base64 (little-endian
// float32 values: a third of the bytes of the float JSON, and faster to
// decode), as OpenAI's own SDKs do; either way the vectors come back as
// []float32, bit for bit the server's values. InputType has no OpenAI
// equivalent: it fails with llm.KindUnsupported unless
// llm.WithDropUnsupportedParams drops it.
func (p *Provider) Embedding(ctx context.Context, req *llm.EmbeddingRequest, cfg *llm.Config) (*llm.EmbeddingResponse, error) {
	r := *req
	if r.EncodingFormat == "" {
		r.EncodingFormat = "base64"
	}
	if r.InputType != "" {
		if !cfg.DropUnsupportedParams {
			return nil, llm.UnsupportedParam("input_type", "provider "+p.spec.Name)
		}
		r.InputType = ""
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	resp, err := p.send(ctx, cfg, req.Model, "/embeddings", body, false)
	if err != nil {
		return nil, err
	}
	raw, err := httpx.ReadAll(resp, cfg.MaxResponseBytes)
	if err != nil {
		return nil, err
	}
	if hasError(raw) {
		return nil, p.errorFromBody(0, resp.Header, raw)
	}
	out, err := decodeEmbedding(raw, req.Input.Len())
	if err != nil {
		return nil, err
	}
	out.Meta.Header = resp.Header
	if cfg.RawResponse {
		out.Meta.Raw = raw
	}
	return out, nil
}

// decodeEmbedding decodes an answer of /embeddings to a request of n inputs,
// with vectors given as float arrays or as base64 strings of little-endian
// float32 values, and returns it with its data ordered by index. An answer
// that does not hold exactly one vector per input (indices 0 to n-1), an
// empty vector, or a base64 value that is not whole float32 values or is not
// finite, is llm.KindBadResponse.
func decodeEmbedding(raw []byte, n int) (*llm.EmbeddingResponse, error) {
	var w struct {
		Object string `json:"object"`
		Data   []struct {
			Object    string `json:"object"`
			Index     int    `json:"index"`
			Embedding vector `json:"embedding"`
		} `json:"data"`
		Model string              `json:"model"`
		Usage *llm.EmbeddingUsage `json:"usage"`
	}
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, badResponse(err, raw)
	}
	if len(w.Data) == 0 {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has no embeddings: " + snippet(raw)}
	}
	if len(w.Data) != n {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has " + strconv.Itoa(len(w.Data)) + " embeddings for " + strconv.Itoa(n) + " inputs"}
	}
	out := &llm.EmbeddingResponse{Object: w.Object, Model: w.Model, Usage: w.Usage, Data: make([]llm.EmbeddingData, n)}
	for _, d := range w.Data {
		if d.Index < 0 || d.Index >= n || out.Data[d.Index].Embedding != nil {
			return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has embedding index " + strconv.Itoa(d.Index) + " twice or out of range for " + strconv.Itoa(n) + " inputs"}
		}
		if len(d.Embedding) == 0 {
			return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the answer has an empty embedding at index " + strconv.Itoa(d.Index)}
		}
		out.Data[d.Index] = llm.EmbeddingData{Object: d.Object, Index: d.Index, Embedding: d.Embedding}
	}
	return out, nil
}

// vector decodes an embedding given as a float array or as base64.
type vector []float32

var errBase64Vector = errors.New("the base64 embedding is not a whole number of float32 values")

// errNonFinite is the error of a base64 embedding holding NaN or an
// infinity, which no model computes (and float JSON cannot carry).
var errNonFinite = errors.New("the base64 embedding holds a NaN or infinite value")

// UnmarshalJSON implements json.Unmarshaler. encoding/json has checked b is
// one valid JSON value.
func (v *vector) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		return v.floats(b)
	}
	s := b[1 : len(b)-1]
	if bytes.IndexByte(s, '\\') >= 0 { // escaped ("\/"): unquote first
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		s = []byte(str)
	}
	return v.base64(s)
}

// base64 decodes standard base64 (padded, as OpenAI sends it) of
// little-endian float32 values, through a buffer on the stack.
func (v *vector) base64(s []byte) error {
	enc := base64.StdEncoding
	if len(s)%4 != 0 {
		return errBase64Vector
	}
	size := enc.DecodedLen(len(s))
	if len(s) > 0 && s[len(s)-1] == '=' {
		size--
		if s[len(s)-2] == '=' {
			size--
		}
	}
	if size%4 != 0 {
		return errBase64Vector
	}
	out := make([]float32, 0, size/4)
	var buf [768]byte // 1024 base64 characters
	for len(s) > 0 {
		chunk := s[:min(len(s), 1024)]
		s = s[len(chunk):]
		m, err := enc.Decode(buf[:], chunk)
		if err != nil {
			return err
		}
		if m%4 != 0 {
			return errBase64Vector
		}
		for i := 0; i < m; i += 4 {
			bits := binary.LittleEndian.Uint32(buf[i:])
			if bits&0x7f800000 == 0x7f800000 {
				return errNonFinite
			}
			out = append(out, math.Float32frombits(bits))
		}
	}
	*v = out
	return nil
}

// floats decodes a JSON array of numbers as encoding/json does into
// []float32 (strconv.ParseFloat with bitSize 32), without reflection;
// anything else (null elements, strings) goes to encoding/json for its
// result.
func (v *vector) floats(b []byte) error {
	slow := func() error { return json.Unmarshal(b, (*[]float32)(v)) }
	if len(b) < 2 || b[0] != '[' {
		return slow()
	}
	out := make([]float32, 0, len(b)/12)
	i := 1
	for {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i < len(b) && b[i] == ']' && len(out) == 0 {
			break
		}
		j := i
		for j < len(b) && (b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || (b[j] >= '0' && b[j] <= '9')) {
			j++
		}
		if j == i {
			return slow()
		}
		f, err := strconv.ParseFloat(string(b[i:j]), 32)
		if err != nil {
			return slow()
		}
		out = append(out, float32(f))
		for j < len(b) && isSpace(b[j]) {
			j++
		}
		if j >= len(b) {
			return slow()
		}
		if b[j] == ']' {
			break
		}
		if b[j] != ',' {
			return slow()
		}
		i = j + 1
	}
	*v = out
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
