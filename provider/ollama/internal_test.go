package ollama

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/ndjson"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
)

func TestFinishReason(t *testing.T) {
	t.Parallel()
	cases := []struct {
		reason string
		tools  bool
		want   string
	}{
		{"stop", false, llm.FinishStop},
		{"", false, llm.FinishStop},
		{"stop", true, llm.FinishToolCalls},
		{"length", false, llm.FinishLength},
		{"length", true, llm.FinishLength},
		{"unload", false, "unload"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, finishReason(tc.reason, tc.tools), "%q tools=%v", tc.reason, tc.tools)
	}
}

func TestArgumentsString(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`{"a": 1, "b": [1, 2]}`: `{"a":1,"b":[1,2]}`,
		``:                      `{}`,
		`null`:                  `{}`,
		`"{\"a\":1}"`:           `{"a":1}`,
		`{}`:                    `{}`,
	}
	for in, want := range cases {
		assert.Equal(t, want, argumentsString(json.RawMessage(in)), in)
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		msg    string
		want   llm.Kind
	}{
		{400, "json: cannot unmarshal string", llm.KindInvalidRequest},
		{400, "llama2 does not support tools", llm.KindUnsupported},
		{404, `model "x" not found, try pulling it first`, llm.KindNotFound},
		{500, "boom", llm.KindServer},
		{503, "server busy", llm.KindOverloaded},
		{0, "an error was encountered while running the model", llm.KindServer},
		{0, `model "x" not found`, llm.KindNotFound},
		{0, "server busy, please try again", llm.KindOverloaded},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, kindOf(tc.status, tc.msg), "%d %q", tc.status, tc.msg)
	}
}

func TestHostURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"0.0.0.0":                   "http://localhost:11434",
		"127.0.0.1:8080":            "http://127.0.0.1:8080",
		"gpu-box":                   "http://gpu-box:11434",
		"https://ollama.example":    "https://ollama.example:443",
		"http://[::]:1/":            "http://localhost:1",
		"http://host:2/prefix/":     "http://host:2/prefix",
		"[::1]:3":                   "http://[::1]:3",
		"http://user:pw@host:4/sub": "http://user:pw@host:4/sub",
	}
	for in, want := range cases {
		assert.Equal(t, want, hostURL(in), in)
	}
}

func TestNotRunningRedactsUserinfo(t *testing.T) {
	t.Parallel()
	e := notRunning("http://user:secretpw@host:4", errors.New("refused"))
	assert.NotContains(t, e.Message, "secretpw")
}

func FuzzDecodeResponse(f *testing.F) {
	providertest.Seed(f, "chat.response.json", "tools.response.json")
	f.Add([]byte(`{"error":"x"}`))
	f.Add([]byte(`{"message":{"content":"Hi"},"done":true,"logprobs":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[{"token":"Hi","logprob":-0.1}]}]}`))
	f.Add([]byte(`{"message":{"tool_calls":[{"function":{"name":"f","arguments":"[1"}}]},"done":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeResponse(b)
		if err == nil && (r == nil || len(r.Choices) != 1) {
			t.Fatalf("no error and no choice: %+v", r)
		}
	})
}

func FuzzDecodeStream(f *testing.F) {
	providertest.Seed(f, "tools.ndjson", "text.ndjson")
	f.Add([]byte("{\"error\":{\"message\":\"x\"}}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := streamDecoder{meta: &llm.Meta{}, lines: ndjson.NewDecoder(bytes.NewReader(b))}
		for {
			c, err := s.next()
			if err != nil {
				var le *llm.Error
				if !errors.As(err, &le) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("untyped error %T: %v", err, err)
				}
				return
			}
			if c == nil || len(c.Choices) != 1 {
				t.Fatalf("bad chunk %+v", c)
			}
			if s.done {
				return
			}
		}
	})
}

func FuzzEncodeRequest(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},{"role":"tool","tool_call_id":"1","content":"r"}],"options":{"num_ctx":1},"reasoning_effort":"high"}`))
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAA"}}]}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}}`))
	providertest.FuzzEncode(f, func(req *llm.CompletionRequest) ([]byte, error) {
		return encodeRequest(req, &llm.Config{}, true)
	})
}

// benchStream is a long NDJSON stream of text pieces.
func benchStream(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		line, _ := json.Marshal(map[string]any{"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00",
			"message": map[string]any{"role": "assistant", "content": strings.Repeat("tok ", i%4+1)}, "done": false})
		b.Write(line)
		b.WriteByte('\n')
	}
	b.WriteString(`{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":26,"eval_count":282}` + "\n")
	return b.Bytes()
}

// BenchmarkStreamDecode decodes a 500-line stream into chunks.
func BenchmarkStreamDecode(b *testing.B) {
	body := benchStream(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		s := streamDecoder{meta: &llm.Meta{}, lines: ndjson.NewDecoder(bytes.NewReader(body))}
		for !s.done {
			if _, err := s.next(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// floorLine is what a hand-written client would decode each line into.
type floorLine struct {
	Model     string `json:"model"`
	CreatedAt string `json:"created_at"`
	Message   struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"message"`
	Done            bool `json:"done"`
	PromptEvalCount int  `json:"prompt_eval_count"`
	EvalCount       int  `json:"eval_count"`
}

// BenchmarkStreamDecodeFloor is the floor: encoding/json's Decoder over the
// same body, one struct per line.
func BenchmarkStreamDecodeFloor(b *testing.B) {
	body := benchStream(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(body))
		for {
			v := new(floorLine)
			if err := dec.Decode(v); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkEncodeRequest encodes a typical tool-using request.
func BenchmarkEncodeRequest(b *testing.B) {
	req := benchRequest()
	cfg := &llm.Config{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeRequest(req, cfg, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRequestFloor marshals the same wire body built by hand.
func BenchmarkEncodeRequestFloor(b *testing.B) {
	req := benchRequest()
	b.ReportAllocs()
	for b.Loop() {
		msgs := make([]message, len(req.Messages))
		for i, m := range req.Messages {
			msgs[i] = message{Role: string(m.Role), Content: m.Content.Text}
		}
		w := struct {
			Model    string    `json:"model"`
			Messages []message `json:"messages"`
			Tools    []tool    `json:"tools"`
			Options  options   `json:"options"`
			Stream   bool      `json:"stream"`
		}{Model: req.Model, Messages: msgs, Stream: true,
			Options: options{Temperature: req.Temperature, NumPredict: req.MaxTokens}}
		for _, t := range req.Tools {
			w.Tools = append(w.Tools, tool{Type: "function", Function: toolDef{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters}})
		}
		if _, err := json.Marshal(w); err != nil {
			b.Fatal(err)
		}
	}
}

func benchRequest() *llm.CompletionRequest {
	msgs := []llm.Message{llm.SystemText("You are a helpful assistant.")}
	for range 5 {
		msgs = append(msgs, llm.UserText(strings.Repeat("Tell me about the weather. ", 10)), llm.AssistantText(strings.Repeat("It is sunny. ", 20)))
	}
	return &llm.CompletionRequest{Model: "llama3.2", Messages: msgs, Temperature: llm.Ptr(0.7), MaxTokens: 512,
		Tools: []llm.Tool{llm.FunctionTool("get_weather", "Get the weather", `{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}}
}

func FuzzErrorFromBody(f *testing.F) {
	f.Add(404, []byte(`{"error":"model \"x\" not found, try pulling it first"}`))
	f.Add(0, []byte(`{"error":{"message":"m","code":"c"}}`))
	f.Add(500, []byte(`<html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := errorFromBody(status, nil, body, "m")
		if e == nil || (e.Kind == llm.KindUnknown && status >= 400) {
			t.Fatalf("got %+v", e)
		}
	})
}
