package anthropic

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
)

// The request body is written by hand rather than by encoding/json: its
// reflection over the many optional fields of a content block made encoding
// cost about twice the floor's (see BenchmarkEncodeRequest). The output is
// what json.Marshal gives for the same structs with their tags (omitempty
// included), which TestAppendMatchesMarshal and FuzzAppendMatchesMarshal
// check.

// appendJSON appends r as a JSON object.
func (r *request) appendJSON(b []byte) ([]byte, error) {
	w := objWriter{b: append(b, '{')}
	if r.AnthropicVersion != "" {
		w.key("anthropic_version")
		w.str(r.AnthropicVersion)
	}
	if len(r.AnthropicBeta) > 0 {
		w.key("anthropic_beta")
		w.strs(r.AnthropicBeta)
	}
	if r.Model != "" {
		w.key("model")
		w.str(r.Model)
	}
	w.key("messages")
	if r.Messages == nil {
		w.b = append(w.b, "null"...)
	} else {
		w.b = append(w.b, '[')
		for i := range r.Messages {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			m := &r.Messages[i]
			mw := objWriter{b: append(w.b, '{')}
			mw.key("role")
			mw.str(m.Role)
			mw.key("content")
			mw.blocks(m.Content)
			w.b, w.err = append(mw.b, '}'), errors.Join(w.err, mw.err)
		}
		w.b = append(w.b, ']')
	}
	if len(r.System) > 0 {
		w.key("system")
		w.blocks(r.System)
	}
	w.key("max_tokens")
	w.b = strconv.AppendInt(w.b, int64(r.MaxTokens), 10)
	if r.Metadata != nil {
		w.key("metadata")
		w.b = append(w.b, `{"user_id":`...)
		w.str(r.Metadata.UserID)
		w.b = append(w.b, '}')
	}
	if len(r.StopSequences) > 0 {
		w.key("stop_sequences")
		w.strs(r.StopSequences)
	}
	if r.Stream {
		w.key("stream")
		w.b = append(w.b, "true"...)
	}
	if r.Temperature != nil {
		w.key("temperature")
		w.float(*r.Temperature)
	}
	if r.TopP != nil {
		w.key("top_p")
		w.float(*r.TopP)
	}
	if t := r.Thinking; t != nil {
		w.key("thinking")
		tw := objWriter{b: append(w.b, '{')}
		tw.key("type")
		tw.str(t.Type)
		if t.BudgetTokens != 0 {
			tw.key("budget_tokens")
			tw.b = strconv.AppendInt(tw.b, int64(t.BudgetTokens), 10)
		}
		w.b = append(tw.b, '}')
	}
	if len(r.Tools) > 0 {
		w.key("tools")
		w.b = append(w.b, '[')
		for i := range r.Tools {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			t := &r.Tools[i]
			if len(t.Server) > 0 {
				w.raw(t.Server, false)
				continue
			}
			tw := objWriter{b: append(w.b, '{')}
			tw.key("name")
			tw.str(t.Name)
			if t.Description != "" {
				tw.key("description")
				tw.str(t.Description)
			}
			tw.key("input_schema")
			tw.raw(t.InputSchema, true)
			tw.cache(t.CacheControl)
			w.b, w.err = append(tw.b, '}'), errors.Join(w.err, tw.err)
		}
		w.b = append(w.b, ']')
	}
	if tc := r.ToolChoice; tc != nil {
		w.key("tool_choice")
		tw := objWriter{b: append(w.b, '{')}
		tw.key("type")
		tw.str(tc.Type)
		if tc.Name != "" {
			tw.key("name")
			tw.str(tc.Name)
		}
		if tc.DisableParallelToolUse {
			tw.key("disable_parallel_tool_use")
			tw.b = append(tw.b, "true"...)
		}
		w.b = append(tw.b, '}')
	}
	if of := r.OutputFormat; of != nil {
		w.key("output_format")
		ow := objWriter{b: append(w.b, '{')}
		ow.key("type")
		ow.str(of.Type)
		ow.key("schema")
		ow.raw(of.Schema, true)
		w.b, w.err = append(ow.b, '}'), errors.Join(w.err, ow.err)
	}
	return append(w.b, '}'), w.err
}

// objWriter writes the members of one JSON object.
type objWriter struct {
	b   []byte
	n   int // members written
	err error
}

func (w *objWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *objWriter) str(s string) { w.b = jsonx.AppendString(w.b, s) }

func (w *objWriter) strs(ss []string) {
	w.b = append(w.b, '[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = jsonx.AppendString(w.b, s)
	}
	w.b = append(w.b, ']')
}

var errFloat = errors.New("unsupported float value")

// float writes f as encoding/json does.
func (w *objWriter) float(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.err = errors.Join(w.err, errFloat)
		w.b = append(w.b, '0')
		return
	}
	abs, fmt := math.Abs(f), byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmt = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, fmt, -1, 64)
}

// raw writes a JSON value compacted, as encoding/json writes a
// json.RawMessage ("null" when empty and not omitted).
func (w *objWriter) raw(v json.RawMessage, nullIfEmpty bool) {
	if len(v) == 0 {
		if nullIfEmpty {
			w.b = append(w.b, "null"...)
		}
		return
	}
	buf := bytes.NewBuffer(w.b)
	if err := json.Compact(buf, v); err != nil {
		w.err = errors.Join(w.err, err)
	}
	w.b = buf.Bytes()
}

func (w *objWriter) cache(cc *llm.CacheControl) {
	if cc == nil {
		return
	}
	w.key("cache_control")
	cw := objWriter{b: append(w.b, '{')}
	cw.key("type")
	cw.str(cc.Type)
	if cc.TTL != "" {
		cw.key("ttl")
		cw.str(cc.TTL)
	}
	w.b = append(cw.b, '}')
}

// blocks writes a list of content blocks ("null" for a nil list).
func (w *objWriter) blocks(bs []block) {
	if bs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range bs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.block(&bs[i])
	}
	w.b = append(w.b, ']')
}

func (w *objWriter) block(bl *block) {
	bw := objWriter{b: append(w.b, '{')}
	bw.key("type")
	bw.str(bl.Type)
	if bl.Text != "" {
		bw.key("text")
		bw.str(bl.Text)
	}
	if s := bl.Source; s != nil {
		bw.key("source")
		sw := objWriter{b: append(bw.b, '{')}
		sw.key("type")
		sw.str(s.Type)
		for _, f := range [...]struct{ k, v string }{{"media_type", s.MediaType}, {"data", s.Data}, {"url", s.URL}, {"file_id", s.FileID}} {
			if f.v != "" {
				sw.key(f.k)
				sw.str(f.v)
			}
		}
		bw.b = append(sw.b, '}')
	}
	for _, f := range [...]struct{ k, v string }{{"title", bl.Title}, {"id", bl.ID}, {"name", bl.Name}} {
		if f.v != "" {
			bw.key(f.k)
			bw.str(f.v)
		}
	}
	if len(bl.Input) > 0 {
		bw.key("input")
		bw.raw(bl.Input, false)
	}
	if bl.ToolUseID != "" {
		bw.key("tool_use_id")
		bw.str(bl.ToolUseID)
	}
	if len(bl.Content) > 0 {
		bw.key("content")
		bw.blocks(bl.Content)
	}
	for _, f := range [...]struct{ k, v string }{{"thinking", bl.Thinking}, {"signature", bl.Signature}, {"data", bl.Data}} {
		if f.v != "" {
			bw.key(f.k)
			bw.str(f.v)
		}
	}
	bw.cache(bl.CacheControl)
	w.b, w.err = append(bw.b, '}'), errors.Join(w.err, bw.err)
}
