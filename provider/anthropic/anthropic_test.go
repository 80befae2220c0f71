package anthropic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func frame(v any) []byte {
	b, _ := json.Marshal(v)
	var typ struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &typ)
	return []byte("event: " + typ.Type + "\ndata: " + string(b) + "\n\n")
}

type obj = map[string]any

func streamFrames(pieces []string, u llm.Usage) [][]byte {
	frames := [][]byte{
		frame(obj{"type": "message_start", "message": obj{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
			"content": []any{}, "stop_reason": nil, "stop_sequence": nil,
			"usage": obj{"input_tokens": u.PromptTokens, "output_tokens": 1, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}}}),
		frame(obj{"type": "content_block_start", "index": 0, "content_block": obj{"type": "text", "text": ""}}),
		frame(obj{"type": "ping"}),
	}
	for _, p := range pieces {
		frames = append(frames, frame(obj{"type": "content_block_delta", "index": 0, "delta": obj{"type": "text_delta", "text": p}}))
	}
	return append(frames,
		frame(obj{"type": "content_block_stop", "index": 0}),
		frame(obj{"type": "message_delta", "delta": obj{"stop_reason": "end_turn", "stop_sequence": nil}, "usage": obj{"output_tokens": u.CompletionTokens}}),
		frame(obj{"type": "message_stop"}))
}

// unknownFrames are stream events this translator does not know: an event
// of a new type (with fields of known events' names in other shapes), and a content block of a new type (index 1) with a delta
// of a new type; the block must come out raw under BlocksField.
func unknownFrames() [][]byte {
	return [][]byte{
		frame(obj{"type": providertest.UnknownType, "index": "zero", "message": "not a message", "delta": 5, providertest.UnknownType: obj{"n": 1}}),
		frame(obj{"type": "content_block_start", "index": 1, "content_block": providertest.UnknownBlock()}),
		frame(obj{"type": "content_block_delta", "index": 1, "delta": obj{"type": providertest.UnknownType + "_delta", "text": obj{"n": 1}, "partial_json": 2}}),
		frame(obj{"type": "content_block_stop", "index": 1}),
	}
}

// unknownCompletion is an answer with a content block of a new type before
// the text.
func unknownCompletion(text string, u llm.Usage) []byte {
	b, _ := json.Marshal(obj{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
		"content":     []any{providertest.UnknownBlock(), obj{"type": "text", "text": text}},
		"stop_reason": "end_turn", "stop_sequence": nil, providertest.UnknownType: 1,
		"usage": obj{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
	return b
}

func errorBody(typ, msg string) string {
	return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`, typ, msg)
}

// Harness is the conformance harness of the Messages API.
var Harness = providertest.Harness{
	Model: "anthropic/claude-sonnet-4-5",
	Options: func(base string) []llm.Option {
		return []llm.Option{llm.WithBaseURL(base), llm.WithAPIKey("sk-ant-test")}
	},
	Completion: func(text string, u llm.Usage) []byte {
		b, _ := json.Marshal(obj{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
			"content": []any{obj{"type": "text", "text": text}}, "stop_reason": "end_turn", "stop_sequence": nil,
			"usage": obj{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
		return b
	},
	StreamFrames:      streamFrames,
	UnknownFrames:     unknownFrames,
	UnknownCompletion: unknownCompletion,
	UnknownKey:        anthropic.BlocksField,
	StreamContentType: "text/event-stream",
	StreamErrorFrame:  []byte("event: error\ndata: " + errorBody("overloaded_error", "Overloaded") + "\n\n"),
	StreamErrorKind:   llm.KindOverloaded,
	KeyEnv:            "ANTHROPIC_API_KEY",
	ErrorEventFrame:   func(msg string) []byte { return []byte("event: error\ndata: " + errorBody("api_error", msg) + "\n\n") },
	MalformedFrame:    []byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":42}}\n\n"),
	EnvelopeBody:      errorBody("overloaded_error", "Overloaded"),
	EnvelopeKind:      llm.KindOverloaded,
	Errors: []providertest.ErrorCase{
		{Name: "400", Status: 400, Body: errorBody("invalid_request_error", "max_tokens: Field required"), Kind: llm.KindInvalidRequest},
		{Name: "400 prompt too long", Status: 400, Body: errorBody("invalid_request_error", "prompt is too long: 212345 tokens > 200000 maximum"), Kind: llm.KindContextWindowExceeded},
		{Name: "401", Status: 401, Body: errorBody("authentication_error", "invalid x-api-key"), Kind: llm.KindAuthentication},
		{Name: "402 billing", Status: 402, Body: errorBody("billing_error", "Your credit balance is too low"), Kind: llm.KindQuotaExceeded},
		{Name: "403", Status: 403, Body: errorBody("permission_error", "Your API key does not have permission to use the specified resource."), Kind: llm.KindPermissionDenied},
		{Name: "404", Status: 404, Body: errorBody("not_found_error", "model: claude-9"), Kind: llm.KindNotFound},
		{Name: "413", Status: 413, Body: errorBody("request_too_large", "Request exceeds the maximum allowed number of bytes."), Kind: llm.KindRequestTooLarge},
		{Name: "429", Status: 429, Header: http.Header{"Retry-After": {"7"}}, Body: errorBody("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"), Kind: llm.KindRateLimit},
		{Name: "500", Status: 500, Body: errorBody("api_error", "Internal server error"), Kind: llm.KindServer},
		{Name: "502 html", Status: 502, Body: "<html>Bad gateway</html>", Kind: llm.KindServer},
		{Name: "504", Status: 504, Body: errorBody("timeout_error", "Request timeout"), Kind: llm.KindTimeout},
		{Name: "529", Status: 529, Body: errorBody("overloaded_error", "Overloaded"), Kind: llm.KindOverloaded},
	},
}

func TestConformance(t *testing.T) {
	providertest.Run(t, Harness)
}

// server is providertest.Server with Anthropic's rate-limit header.
func server(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), contentType string, reply []byte) *httptest.Server {
	t.Helper()
	srv, _ := providertest.Server(t, check, contentType, reply, "Anthropic-Ratelimit-Requests-Remaining", "99")
	return srv
}

const (
	sig      = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds7BDGGw0HGm4AiQ6VIx5Ck2C1BMqdM6KgrhCSUWOsXd33jGHH4sPVUX3FfDtQaFSgB1VN2kefqGZ3cJqA0dOd4oKPBXNCsA8ym6t4Q=="
	redacted = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB5URj2pLmN0kF0A"
)

var weatherSchema = `{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}`

var personSchema = json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}`)

func call(id, name, args string) llm.ToolCall {
	return llm.ToolCall{ID: id, Type: "function", Function: llm.FunctionCall{Name: name, Arguments: args}}
}

// requestCases pairs OpenAI-shaped requests with the exact wire body
// expected in testdata/<name>.request.json.
var requestCases = []struct {
	name string
	req  llm.CompletionRequest
	opts []llm.Option
	beta string
}{
	{name: "text", req: llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5-20250929", MaxTokens: 1024,
		Messages: []llm.Message{llm.UserText("Hello, Claude")}}},
	{name: "system", req: llm.CompletionRequest{Model: "anthropic/claude-3-5-haiku-20241022",
		Messages: []llm.Message{
			llm.SystemText("You are terse."),
			{Role: llm.RoleDeveloper, Content: llm.Text("Answer in French."), CacheControl: &llm.CacheControl{Type: "ephemeral"}},
			llm.UserText("Bonjour"),
			llm.UserParts(llm.TextPart("Ça va ?"), llm.TextPart("")),
		},
		Temperature: llm.Ptr(0.5), TopP: llm.Ptr(0.9), Stop: llm.StringList{"END"}, User: "user-42",
		Extra: map[string]any{"top_k": 40}}},
	{name: "tools", req: llm.CompletionRequest{Model: "anthropic/claude-3-5-sonnet-20241022", MaxCompletionTokens: 2048,
		Messages: []llm.Message{
			llm.UserText("What's the weather in Paris and Lyon?"),
			{Role: llm.RoleAssistant, Content: llm.Text("I'll check both cities."), ToolCalls: []llm.ToolCall{
				call("toolu_01A09q90qw90lq917835lq9", "get_weather", `{"city": "Paris", "unit": "celsius"}`),
				call("toolu_01B19r01rx01mr028946mr0", "get_weather", `{"city":"Lyon","unit":"celsius"}`),
			}},
			llm.ToolResult("toolu_01A09q90qw90lq917835lq9", "18°C, sunny"),
			llm.ToolResult("toolu_01B19r01rx01mr028946mr0", "21°C, cloudy"),
			llm.UserText("And tomorrow?"),
		},
		Tools: []llm.Tool{
			{Type: "function", Function: &llm.Function{Name: "get_weather", Description: "Get the current weather in a city", Parameters: json.RawMessage(weatherSchema)},
				CacheControl: &llm.CacheControl{Type: "ephemeral"}},
			{Type: "function", Function: &llm.Function{Name: "get_time"}},
		},
		ToolChoice: llm.ToolChoiceAuto, ParallelToolCalls: llm.Ptr(false)}},
	{name: "images", req: llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5-20250929",
		Messages: []llm.Message{llm.UserParts(
			llm.TextPart("Compare these two images."),
			llm.ImagePart("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "high"),
			llm.ImagePart("https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg", ""),
		)}}},
	{name: "pdf", req: llm.CompletionRequest{Model: "anthropic/claude-opus-4-1-20250805",
		Messages: []llm.Message{llm.UserParts(
			llm.Part{Type: llm.PartFile, File: &llm.File{Filename: "a.pdf", FileData: "data:application/pdf;base64,JVBERi0xLjQKJcfsj6IKMSAwIG9iago="},
				CacheControl: &llm.CacheControl{Type: "ephemeral"}},
			llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "https://assets.anthropic.com/m/1cd9d098ac3e6467/original/Claude-3-Model-Card-October-Addendum.pdf"}},
			llm.TextPart("Summarise both documents."),
		)}}},
	{name: "thinking", req: llm.CompletionRequest{Model: "anthropic/claude-3-7-sonnet-20250219", ReasoningEffort: "low",
		Temperature: llm.Ptr(1.0),
		Messages: []llm.Message{
			llm.UserText("What is 27 * 453?"),
			{Role: llm.RoleAssistant, Content: llm.Text("27 × 453 = 12,231."), ReasoningContent: "ignored: only blocks go back",
				ThinkingBlocks: []llm.ThinkingBlock{
					{Type: "thinking", Thinking: "The user asks 27 * 453. 27 * 453 = 12231.", Signature: sig},
					{Type: "redacted_thinking", Data: redacted},
				}},
			llm.UserText("And divided by 3?"),
		}}},
	{name: "json_native", beta: anthropic.StructuredOutputsBeta, req: llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5-20250929", MaxTokens: 1024,
		Messages:       []llm.Message{llm.UserText("Extract: Ada is 36.")},
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "person", Schema: personSchema}}}},
	// web_search_options becomes the web_search tool, in the shape of the
	// web search guide's request example
	// (https://platform.claude.com/docs/en/agents-and-tools/tool-use/web-search-tool):
	// user_location flattened, search_context_size as max_uses.
	{name: "web_search", req: llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5-20250929", MaxTokens: 1024,
		Messages: []llm.Message{llm.UserText("How do I update a web app to TypeScript 5.5?")},
		Tools:    []llm.Tool{{Type: "function", Function: &llm.Function{Name: "get_weather", Parameters: json.RawMessage(weatherSchema)}}},
		WebSearchOptions: &llm.WebSearchOptions{SearchContextSize: "medium", UserLocation: func() *llm.UserLocation {
			u := &llm.UserLocation{Type: "approximate"}
			u.Approximate.City, u.Approximate.Region, u.Approximate.Country, u.Approximate.Timezone = "San Francisco", "California", "US", "America/Los_Angeles"
			return u
		}()}}},
	// Anthropic's own tools through anthropic.WithServerTools, as in the web
	// fetch and code execution guides' request examples, with their betas.
	{name: "server_tools", beta: "web-fetch-2025-09-10,code-execution-2025-08-25",
		opts: []llm.Option{anthropic.WithServerTools(
			anthropic.ServerTool{Type: anthropic.WebFetchTool, Params: map[string]any{"max_uses": 5, "citations": map[string]any{"enabled": true}}},
			anthropic.ServerTool{Type: anthropic.CodeExecutionTool},
		)},
		req: llm.CompletionRequest{Model: "anthropic/claude-opus-4-1-20250805", MaxTokens: 1024,
			Messages: []llm.Message{llm.UserText("Please analyze the content at https://example.com/article")}}},
	{name: "json_tool", req: llm.CompletionRequest{Model: "anthropic/claude-3-5-haiku-20241022", MaxTokens: 1024,
		Messages: []llm.Message{llm.UserText("Extract: Ada is 36.")},
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "person", Description: "A person",
			Schema: personSchema}}}},
}

func TestRequestWire(t *testing.T) {
	t.Parallel()
	for _, tc := range requestCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := providertest.Fixture(t, tc.name+".request.json")
			srv := server(t, func(t *testing.T, r *http.Request, body []byte) {
				assert.Equal(t, http.MethodPost, r.Method)
				assert.Equal(t, "/v1/messages", r.URL.Path)
				assert.Equal(t, "sk-ant-test", r.Header.Get("X-Api-Key"))
				assert.Empty(t, r.Header.Get("Authorization"))
				assert.Equal(t, "2023-06-01", r.Header.Get("Anthropic-Version"))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				assert.Equal(t, tc.beta, r.Header.Get("Anthropic-Beta"))
				assert.JSONEq(t, string(want), string(body))
			}, "application/json", providertest.Fixture(t, "text.response.json"))
			orig, err := json.Marshal(tc.req)
			require.NoError(t, err)
			opts := append([]llm.Option{llm.WithBaseURL(srv.URL), llm.WithAPIKey("sk-ant-test")}, tc.opts...)
			resp, err := llm.Completion(t.Context(), tc.req, opts...)
			require.NoError(t, err)
			assert.Equal(t, "Hello! How can I help you today?", resp.Text())
			after, err := json.Marshal(tc.req)
			require.NoError(t, err)
			assert.JSONEq(t, string(orig), string(after), "the request is not modified")
		})
	}
}

func TestEncodeRequestPlatforms(t *testing.T) {
	t.Parallel()
	req := &llm.CompletionRequest{Model: "claude-sonnet-4-5@20250929", Messages: []llm.Message{llm.UserText("hi")},
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "p", Schema: personSchema}}}
	cfg := &llm.Config{}
	llm.WithHeader("anthropic-beta", "context-1m-2025-08-07, token-efficient-tools-2025-02-19")(cfg)
	anthropic.WithBeta("interleaved-thinking-2025-05-14", "context-1m-2025-08-07")(cfg)

	t.Run("bedrock", func(t *testing.T) {
		t.Parallel()
		body, err := anthropic.EncodeRequest(req, cfg, anthropic.EncodeOptions{Version: "bedrock-2023-05-31", OmitModel: true, Stream: true, BetasInBody: true})
		require.NoError(t, err)
		assert.JSONEq(t, `{"anthropic_version":"bedrock-2023-05-31","max_tokens":64000,"stream":true,
			"anthropic_beta":["context-1m-2025-08-07","token-efficient-tools-2025-02-19","interleaved-thinking-2025-05-14","structured-outputs-2025-11-13"],
			"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],
			"output_format":{"type":"json_schema","schema":`+string(personSchema)+`}}`, string(body))
	})
	t.Run("vertex without native output", func(t *testing.T) {
		t.Parallel()
		opts := anthropic.EncodeOptions{Version: "vertex-2023-10-16", OmitModel: true, NativeStructuredOutput: func(string) bool { return false }}
		body, err := anthropic.EncodeRequest(req, nil, opts)
		require.NoError(t, err)
		assert.JSONEq(t, `{"anthropic_version":"vertex-2023-10-16","max_tokens":64000,
			"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],
			"tools":[{"name":"json_tool_call","description":"Respond with a JSON object.","input_schema":`+string(personSchema)+`}],
			"tool_choice":{"type":"tool","name":"json_tool_call"}}`, string(body))
		assert.Empty(t, anthropic.Betas(req, nil, opts))
	})
}

func TestBetaHeaderMerged(t *testing.T) {
	t.Parallel()
	srv := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, []string{"a-1,b-2"}, r.Header.Values("Anthropic-Beta"))
		assert.Equal(t, "2024-01-01", r.Header.Get("Anthropic-Version"))
	}, "application/json", providertest.Fixture(t, "text.response.json"))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithHeader("anthropic-beta", "a-1"), anthropic.WithBeta("b-2", "a-1"),
		llm.WithAPIVersion("2024-01-01"))
	require.NoError(t, err)
}

func TestEncodeThinking(t *testing.T) {
	t.Parallel()
	base := llm.CompletionRequest{Model: "claude-sonnet-4-20250514", Messages: []llm.Message{llm.UserText("hi")}}
	withBudget := func(n int) *llm.Config {
		c := &llm.Config{}
		anthropic.WithThinkingBudget(n)(c)
		return c
	}
	drop := &llm.Config{DropUnsupportedParams: true}
	cases := []struct {
		name   string
		mod    func(r *llm.CompletionRequest)
		cfg    *llm.Config
		want   string // JSON fields expected in the body (subset check)
		absent []string
		kind   llm.Kind
	}{
		{name: "effort high", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "high" },
			want: `{"thinking":{"type":"enabled","budget_tokens":24576},"max_tokens":64000}`},
		{name: "effort none", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "none" }, absent: []string{"thinking"}},
		{name: "unknown effort", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "extreme" }, kind: llm.KindInvalidRequest},
		{name: "explicit budget wins", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "high" }, cfg: withBudget(5000),
			want: `{"thinking":{"type":"enabled","budget_tokens":5000}}`},
		{name: "budget zero disables", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "high" }, cfg: withBudget(0), absent: []string{"thinking"}},
		{name: "budget too small", cfg: withBudget(100), kind: llm.KindInvalidRequest},
		{name: "default max_tokens raised above budget", mod: func(r *llm.CompletionRequest) { r.Model = "claude-3-haiku-20240307"; r.ReasoningEffort = "medium" },
			want: `{"max_tokens":12288,"thinking":{"type":"enabled","budget_tokens":8192}}`},
		{name: "explicit max_tokens below budget", mod: func(r *llm.CompletionRequest) { r.MaxTokens = 1000; r.ReasoningEffort = "low" }, kind: llm.KindInvalidRequest},
		{name: "temperature rejected", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.Temperature = llm.Ptr(0.2) }, kind: llm.KindUnsupported},
		{name: "temperature dropped", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.Temperature = llm.Ptr(0.2) }, cfg: drop,
			absent: []string{"temperature"}},
		{name: "temperature 1 kept", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.Temperature = llm.Ptr(1.0) }, want: `{"temperature":1}`},
		{name: "top_p low rejected", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.TopP = llm.Ptr(0.5) }, kind: llm.KindUnsupported},
		{name: "top_p 0.95 kept", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.TopP = llm.Ptr(0.95) }, want: `{"top_p":0.95}`},
		{name: "top_k rejected", mod: func(r *llm.CompletionRequest) { r.ReasoningEffort = "low"; r.Extra = map[string]any{"top_k": 5} }, kind: llm.KindUnsupported},
		{name: "top_k dropped", mod: func(r *llm.CompletionRequest) {
			r.ReasoningEffort = "low"
			r.Extra = map[string]any{"top_k": 5, "x": 1}
		}, cfg: drop,
			want: `{"x":1}`, absent: []string{"top_k"}},
		{name: "forced tool rejected", mod: func(r *llm.CompletionRequest) {
			r.ReasoningEffort = "low"
			r.Tools = []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}
			r.ToolChoice = llm.ToolChoiceRequired
		}, kind: llm.KindUnsupported},
		{name: "forced tool relaxed to auto", mod: func(r *llm.CompletionRequest) {
			r.ReasoningEffort = "low"
			r.Tools = []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}
			r.ToolChoice = llm.ToolChoiceFunction("f")
			r.ParallelToolCalls = llm.Ptr(false)
		}, cfg: drop, want: `{"tool_choice":{"type":"auto","disable_parallel_tool_use":true}}`},
		{name: "json tool not forced with thinking", mod: func(r *llm.CompletionRequest) {
			r.ReasoningEffort = "low"
			r.ResponseFormat = &llm.ResponseFormat{Type: "json_object"}
		}, want: `{"tools":[{"name":"json_tool_call","description":"Respond with a JSON object.","input_schema":{"type":"object"}}]}`, absent: []string{"tool_choice"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := base
			if tc.mod != nil {
				tc.mod(&r)
			}
			body, err := anthropic.EncodeRequest(&r, tc.cfg, anthropic.EncodeOptions{})
			if tc.kind != llm.KindUnknown {
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tc.kind, le.Kind, le.Error())
				return
			}
			require.NoError(t, err)
			var got map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(body, &got))
			if tc.want != "" {
				var want map[string]json.RawMessage
				require.NoError(t, json.Unmarshal([]byte(tc.want), &want))
				for k, v := range want {
					assert.JSONEq(t, string(v), string(got[k]), k)
				}
			}
			for _, k := range tc.absent {
				assert.NotContains(t, got, k)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		req  llm.CompletionRequest
		drop bool
		kind llm.Kind
		msg  string
	}{
		{name: "invalid tool arguments", kind: llm.KindInvalidRequest, msg: "arguments are not a JSON object", req: llm.CompletionRequest{Messages: []llm.Message{
			llm.UserText("hi"), {Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call("t1", "f", `{"a":`)}}}}},
		{name: "array tool arguments", kind: llm.KindInvalidRequest, msg: "arguments", req: llm.CompletionRequest{Messages: []llm.Message{
			llm.UserText("hi"), {Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call("t1", "f", `[1]`)}}}}},
		{name: "bad image url", kind: llm.KindInvalidRequest, msg: "image url", req: llm.CompletionRequest{Messages: []llm.Message{
			llm.UserParts(llm.ImagePart("gs://bucket/x.png", ""))}}},
		{name: "unsupported file type", kind: llm.KindInvalidRequest, msg: "image/gif", req: llm.CompletionRequest{Messages: []llm.Message{
			llm.UserParts(llm.FilePart("x.gif", "data:image/gif;base64,R0lG"))}}},
		{name: "audio", kind: llm.KindUnsupported, req: llm.CompletionRequest{Messages: []llm.Message{
			llm.UserParts(llm.AudioPart("AAAA", "wav"))}}},
		{name: "n", kind: llm.KindUnsupported, msg: "n > 1", req: llm.CompletionRequest{N: 2, Messages: []llm.Message{llm.UserText("hi")}}},
		{name: "n dropped", drop: true, req: llm.CompletionRequest{N: 2, Seed: llm.Ptr[int64](1), Messages: []llm.Message{llm.UserText("hi")}}},
		{name: "seed", kind: llm.KindUnsupported, msg: "seed", req: llm.CompletionRequest{Seed: llm.Ptr[int64](1), Messages: []llm.Message{llm.UserText("hi")}}},
		{name: "penalty", kind: llm.KindUnsupported, msg: "presence_penalty", req: llm.CompletionRequest{PresencePenalty: llm.Ptr(0.5), Messages: []llm.Message{llm.UserText("hi")}}},
		{name: "reserved tool name", kind: llm.KindInvalidRequest, msg: "reserved", req: llm.CompletionRequest{
			Messages:       []llm.Message{llm.UserText("hi")},
			Tools:          []llm.Tool{llm.FunctionTool(anthropic.JSONTool, "", `{"type":"object"}`)},
			ResponseFormat: &llm.ResponseFormat{Type: "json_object"}}},
		{name: "only a system message", kind: llm.KindInvalidRequest, msg: "at least one user or assistant message", req: llm.CompletionRequest{
			Messages: []llm.Message{llm.SystemText("be nice"), llm.UserText("")}}},
		{name: "system image", kind: llm.KindInvalidRequest, msg: "system", req: llm.CompletionRequest{Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: llm.Parts(llm.ImagePart("https://x/y.png", ""))}, llm.UserText("hi")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.req.Model = "claude-3-5-haiku-20241022"
			_, err := anthropic.EncodeRequest(&tc.req, &llm.Config{DropUnsupportedParams: tc.drop}, anthropic.EncodeOptions{})
			if tc.kind == llm.KindUnknown {
				require.NoError(t, err)
				return
			}
			var le *llm.Error
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.kind, le.Kind, le.Error())
			assert.Contains(t, le.Message, tc.msg)
		})
	}
}

func TestNoRequestSentOnBadInput(t *testing.T) {
	t.Parallel()
	hits := 0
	srv := server(t, func(*testing.T, *http.Request, []byte) { hits++ }, "application/json", providertest.Fixture(t, "text.response.json"))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307", N: 3, Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"))
	require.ErrorIs(t, err, llm.ErrUnsupported)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Equal(t, 0, hits)
}

func TestDecodeResponse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fixture string
		check   func(t *testing.T, r *llm.CompletionResponse)
	}{
		{"text.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			assert.Equal(t, "msg_01XFDUDYJgAACzvnptvVoYEL", r.ID)
			assert.Equal(t, "chat.completion", r.Object)
			assert.Equal(t, "claude-sonnet-4-5-20250929", r.Model)
			assert.NotZero(t, r.Created)
			assert.Equal(t, llm.RoleAssistant, r.Choices[0].Message.Role)
			assert.Equal(t, "Hello! How can I help you today?", r.Text())
			assert.Equal(t, llm.FinishStop, r.Choices[0].FinishReason)
			assert.Equal(t, &llm.Usage{PromptTokens: 12, CompletionTokens: 11, TotalTokens: 23}, r.Usage)
		}},
		{"tools.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			assert.Equal(t, "I'll check both cities.", r.Text())
			assert.Equal(t, llm.FinishToolCalls, r.Choices[0].FinishReason)
			assert.Equal(t, []llm.ToolCall{
				call("toolu_01A09q90qw90lq917835lq9", "get_weather", `{"city":"Paris","unit":"celsius"}`),
				call("toolu_01B19r01rx01mr028946mr0", "get_weather", `{"city":"Lyon","unit":"celsius"}`),
			}, r.ToolCalls())
		}},
		{"thinking.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			m := r.Choices[0].Message
			assert.Equal(t, "27 × 453 = 12,231.", r.Text())
			assert.Equal(t, "The user asks 27 * 453. 27 * 453 = 12231.", m.ReasoningContent)
			assert.Equal(t, []llm.ThinkingBlock{
				{Type: "thinking", Thinking: "The user asks 27 * 453. 27 * 453 = 12231.", Signature: sig},
				{Type: "redacted_thinking", Data: redacted},
			}, m.ThinkingBlocks)
		}},
		{"interleaved.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			want := &llm.Usage{PromptTokens: 472 + 100 + 2048, CompletionTokens: 89, TotalTokens: 472 + 100 + 2048 + 89}
			want.PromptTokensDetails = llm.PromptTokensDetails{CachedTokens: 100, CacheCreationTokens: 2048, CacheCreation1hTokens: 1024}
			assert.Equal(t, want, r.Usage)
		}},
		{"json_tool.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			assert.JSONEq(t, `{"name":"Ada","age":36}`, r.Text())
			assert.Empty(t, r.ToolCalls())
			assert.Equal(t, llm.FinishStop, r.Choices[0].FinishReason)
		}},
		{"json_native.response.json", func(t *testing.T, r *llm.CompletionResponse) {
			assert.JSONEq(t, `{"name":"Ada","age":36}`, r.Text())
			assert.Equal(t, llm.FinishStop, r.Choices[0].FinishReason)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			r, err := anthropic.DecodeResponse(providertest.Fixture(t, tc.fixture))
			require.NoError(t, err)
			require.Len(t, r.Choices, 1)
			tc.check(t, r)
		})
	}
}

func TestStopReasons(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"end_turn": llm.FinishStop, "stop_sequence": llm.FinishStop, "pause_turn": llm.FinishStop,
		"max_tokens": llm.FinishLength, "model_context_window_exceeded": llm.FinishLength,
		"tool_use": llm.FinishToolCalls, "refusal": llm.FinishContentFilter, "something_new": llm.FinishStop,
	}
	for reason, want := range cases {
		t.Run(reason, func(t *testing.T) {
			t.Parallel()
			body := `{"id":"m","type":"message","role":"assistant","model":"claude-3-haiku-20240307","content":[{"type":"text","text":"x"}],
				"stop_reason":"` + reason + `","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}`
			r, err := anthropic.DecodeResponse([]byte(body))
			require.NoError(t, err)
			assert.Equal(t, want, r.Choices[0].FinishReason)

			var d anthropic.StreamDecoder
			_, err = d.Decode("message_delta", []byte(`{"type":"message_delta","delta":{"stop_reason":"`+reason+`"},"usage":{"output_tokens":1}}`))
			require.NoError(t, err)
			c, err := d.Decode("message_stop", []byte(`{"type":"message_stop"}`))
			require.NoError(t, err)
			assert.Equal(t, want, c.Choices[0].FinishReason)
		})
	}
}

func TestDecodeResponseErrors(t *testing.T) {
	t.Parallel()
	_, err := anthropic.DecodeResponse([]byte(errorBody("overloaded_error", "Overloaded")))
	require.ErrorIs(t, err, llm.ErrOverloaded)
	for _, body := range []string{`not json`, `{"type":"completion"}`, `{"content":"x"}`} {
		_, err := anthropic.DecodeResponse([]byte(body))
		require.ErrorIs(t, err, llm.ErrBadResponse, body)
	}
}

// collectFixture decodes an SSE fixture through the provider.
func collectFixture(t *testing.T, name string) (*llm.CompletionResponse, []*llm.Chunk, error) {
	t.Helper()
	srv := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "text/event-stream", r.Header.Get("Accept"))
		assert.Contains(t, string(body), `"stream":true`)
	}, "text/event-stream", providertest.Fixture(t, name))
	var chunks []*llm.Chunk
	var acc llm.Accumulator
	var err error
	req := llm.CompletionRequest{Model: "anthropic/claude-sonnet-4-5", Messages: []llm.Message{llm.UserText("hi")}}
	for c, e := range llm.CompletionStream(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")) {
		if e != nil {
			err = e
			break
		}
		chunks = append(chunks, c)
		acc.Add(c)
	}
	return acc.Response(), chunks, err
}

// normalize zeroes what legitimately differs between a streamed and a
// non-streamed answer (creation time, meta) and compacts tool arguments,
// which arrive with the model's spacing when streamed.
func normalize(t *testing.T, r *llm.CompletionResponse) {
	r.Created = 0
	r.Meta = llm.Meta{}
	for i := range r.Choices {
		for j := range r.Choices[i].Message.ToolCalls {
			a := &r.Choices[i].Message.ToolCalls[j].Function.Arguments
			var b bytes.Buffer
			require.NoError(t, json.Compact(&b, []byte(*a)))
			*a = b.String()
		}
		if c := r.Choices[i].Message.Content; c.Parts == nil && json.Valid([]byte(c.Text)) && strings.HasPrefix(c.Text, "{") {
			var b bytes.Buffer
			require.NoError(t, json.Compact(&b, []byte(c.Text)))
			r.Choices[i].Message.Content = llm.Text(b.String())
		}
	}
}

func TestCollectEqualsDecode(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"text", "tools", "thinking", "interleaved", "json_tool", "web_search", "server_tools"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, _, err := collectFixture(t, name+".sse")
			require.NoError(t, err)
			want, err := anthropic.DecodeResponse(providertest.Fixture(t, name+".response.json"))
			require.NoError(t, err)
			normalize(t, got)
			normalize(t, want)
			assert.Equal(t, want, got)
		})
	}
}

func TestStreamChunks(t *testing.T) {
	t.Parallel()
	_, chunks, err := collectFixture(t, "interleaved.sse")
	require.NoError(t, err)
	require.NotEmpty(t, chunks)
	assert.Equal(t, llm.RoleAssistant, chunks[0].Choices[0].Delta.Role)
	assert.Equal(t, "msg_014p7gG3wDgGV9EUtLvnow3U", chunks[0].ID)
	assert.Equal(t, "chat.completion.chunk", chunks[0].Object)

	var calls []llm.ToolCallDelta
	var blocks []llm.ThinkingBlock
	for i, c := range chunks {
		if i < len(chunks)-1 {
			assert.Nil(t, c.Usage, "chunk %d carries usage", i)
			assert.Empty(t, c.Choices[0].FinishReason, "chunk %d carries a finish reason", i)
		}
		calls = append(calls, c.Choices[0].Delta.ToolCalls...)
		blocks = append(blocks, c.Choices[0].Delta.ThinkingBlocks...)
		assert.Same(t, chunks[0].Meta, c.Meta, "chunks share one Meta until the last")
		if i == len(chunks)-2 {
			break
		}
	}
	require.NotEmpty(t, calls)
	assert.Equal(t, llm.ToolCallDelta{Index: 0, ID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", Type: "function", Function: llm.FunctionCallDelta{Name: "get_weather"}}, calls[0])
	for _, c := range calls[1:] {
		assert.Equal(t, 0, c.Index, "indexes count tool calls, not content blocks (the call is block 2)")
		assert.Empty(t, c.ID)
		assert.NotEmpty(t, c.Function.Arguments)
	}
	assert.Equal(t, []llm.ThinkingBlock{{Type: "thinking", Thinking: "I need the weather in Paris. I'll call the tool.", Signature: sig}}, blocks)
	last := chunks[len(chunks)-1]
	assert.Equal(t, llm.FinishToolCalls, last.Choices[0].FinishReason)
	require.NotNil(t, last.Usage)
	assert.Equal(t, 2620, last.Usage.PromptTokens)
	assert.Equal(t, 89, last.Usage.CompletionTokens)
	assert.Equal(t, 100, last.Usage.PromptTokensDetails.CachedTokens)
	assert.Equal(t, 1024, last.Usage.PromptTokensDetails.CacheCreation1hTokens)
	assert.Equal(t, "anthropic", last.Meta.Provider)
	assert.Equal(t, "99", last.Meta.Header.Get("Anthropic-Ratelimit-Requests-Remaining"))
}

func TestStreamParallelToolIndexes(t *testing.T) {
	t.Parallel()
	_, chunks, err := collectFixture(t, "tools.sse")
	require.NoError(t, err)
	var starts []llm.ToolCallDelta
	for _, c := range chunks {
		for _, d := range c.Choices[0].Delta.ToolCalls {
			if d.ID != "" {
				starts = append(starts, d)
			}
		}
	}
	require.Len(t, starts, 2)
	assert.Equal(t, 0, starts[0].Index)
	assert.Equal(t, 1, starts[1].Index)
	assert.Equal(t, "toolu_01B19r01rx01mr028946mr0", starts[1].ID)
}

func TestStreamErrorEvent(t *testing.T) {
	t.Parallel()
	got, _, err := collectFixture(t, "error.sse")
	require.ErrorIs(t, err, llm.ErrOverloaded)
	var le *llm.Error
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "overloaded_error", le.Code)
	assert.Equal(t, "Overloaded", le.Message)
	assert.Equal(t, "anthropic", le.Provider)
	assert.Equal(t, "Hello", got.Text())
}

func TestStreamTruncated(t *testing.T) {
	t.Parallel()
	body := providertest.Fixture(t, "text.sse")
	cut := body[:bytes.LastIndex(body, []byte("event: message_delta"))]
	srv := server(t, nil, "text/event-stream", cut)
	_, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307",
		Messages: []llm.Message{llm.UserText("hi")}}, llm.WithBaseURL(srv.URL), llm.WithAPIKey("k")))
	require.ErrorIs(t, err, llm.ErrBadResponse)
	assert.Contains(t, err.Error(), "message_stop")
}

func TestStreamDecoderBedrockStyle(t *testing.T) {
	t.Parallel()
	// Bedrock gives each event's JSON without an SSE event name; the type
	// comes from the JSON.
	body := providertest.Fixture(t, "thinking.sse")
	var d anthropic.StreamDecoder
	var acc llm.Accumulator
	for line := range strings.SplitSeq(string(body), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		c, err := d.Decode("", []byte(data))
		require.NoError(t, err)
		acc.Add(c)
	}
	assert.True(t, d.Done())
	got := acc.Response()
	assert.Equal(t, "27 × 453 = 12,231.", got.Text())
	assert.Len(t, got.Choices[0].Message.ThinkingBlocks, 2)
	assert.Equal(t, 302, got.Usage.CompletionTokens)
}

func TestClassifyError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		kind   llm.Kind
		code   string
		msg    string
	}{
		{"prompt too long", 400, nil, errorBody("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), llm.KindContextWindowExceeded, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"},
		{"input exceeds context", 400, nil, errorBody("invalid_request_error", "input length and `max_tokens` exceed context limit: 199000 + 21333 > 200000"), llm.KindContextWindowExceeded, "invalid_request_error", ""},
		{"invalid", 400, nil, errorBody("invalid_request_error", "messages: roles must alternate"), llm.KindInvalidRequest, "invalid_request_error", "messages: roles must alternate"},
		{"overloaded event", 0, nil, errorBody("overloaded_error", "Overloaded"), llm.KindOverloaded, "overloaded_error", "Overloaded"},
		{"rate limit event", 0, nil, errorBody("rate_limit_error", "slow down"), llm.KindRateLimit, "rate_limit_error", ""},
		{"api error event", 0, nil, errorBody("api_error", "boom"), llm.KindServer, "api_error", ""},
		{"unknown event", 0, nil, `{"type":"error","error":{"type":"brand_new_error","message":"?"}}`, llm.KindServer, "brand_new_error", "?"},
		{"retry-after", 429, http.Header{"Retry-After": {"12"}}, errorBody("rate_limit_error", "x"), llm.KindRateLimit, "rate_limit_error", ""},
		{"bare message (Bedrock)", 400, nil, `{"message":"prompt is too long: 300000 tokens > 200000 maximum"}`, llm.KindContextWindowExceeded, "", ""},
		{"text body", 503, nil, "upstream connect error", llm.KindOverloaded, "", "upstream connect error"},
		// Anthropic's output filter answers 400 invalid_request_error with this
		// message (recorded in anthropics/claude-code#6195 and #30485, and
		// support.anthropic.com article 9205721): a content-policy refusal,
		// not a bad request; mid-stream it is an error event.
		{"content filter", 400, nil, errorBody("invalid_request_error", "Output blocked by content filtering policy"), llm.KindContentPolicy, "invalid_request_error", ""},
		{"content filter event", 0, nil, errorBody("invalid_request_error", "Output blocked by content filtering policy"), llm.KindContentPolicy, "invalid_request_error", ""},
		{"status decides unknown type", 404, nil, `{"type":"error","error":{"type":"weird","message":"x"}}`, llm.KindNotFound, "weird", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := anthropic.ClassifyError(tc.status, tc.header, []byte(tc.body))
			assert.Equal(t, tc.kind, e.Kind)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.status, e.StatusCode)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, e.Message)
			}
			if tc.header != nil {
				assert.Equal(t, "12s", e.RetryAfter.String())
			}
		})
	}
}

func TestModelTables(t *testing.T) {
	t.Parallel()
	maxTokens := map[string]int{
		"claude-3-haiku-20240307": 4096, "claude-3-opus-20240229": 4096, "claude-2.1": 4096,
		"claude-3-5-sonnet-20241022": 8192, "anthropic.claude-3-5-haiku-20241022-v1:0": 8192,
		"claude-3-7-sonnet-20250219": 64000, "claude-sonnet-4-20250514": 64000, "claude-sonnet-4-5": 64000,
		"claude-opus-4-20250514": 32000, "claude-opus-4-1@20250805": 32000, "claude-opus-4-5-20251101": 64000,
		"claude-haiku-4-5": 64000, "us.anthropic.claude-sonnet-4-5-20250929-v1:0": 64000, "my-finetune": 4096,
	}
	for m, want := range maxTokens {
		assert.Equal(t, want, anthropic.DefaultMaxTokens(m), m)
	}
	native := map[string]bool{
		"claude-sonnet-4-5-20250929": true, "claude-opus-4-1-20250805": true, "claude-haiku-4-5": true, "claude-opus-4-5": true,
		"claude-sonnet-5": true, "claude-opus-4-20250514": false, "claude-sonnet-4-20250514": false, "claude-3-7-sonnet-20250219": false,
		"claude-3-5-haiku-20241022": false, "gpt-4o": false,
	}
	for m, want := range native {
		assert.Equal(t, want, anthropic.SupportsStructuredOutput(m), m)
	}
	assert.Equal(t, -1, anthropic.EffortBudget("max"))
}

func TestMissingKeyAndEnv(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL("http://127.0.0.1:1"))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "ANTHROPIC_API_KEY")

	srv := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "sk-ant-env", r.Header.Get("X-Api-Key"))
		assert.Equal(t, "/proxy/v1/messages", r.URL.Path)
	}, "application/json", providertest.Fixture(t, "text.response.json"))
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-env")
	t.Setenv("ANTHROPIC_API_BASE", "")
	t.Setenv("ANTHROPIC_BASE_URL", srv.URL+"/proxy/")
	_, err = llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307", Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
}

func TestRawResponse(t *testing.T) {
	t.Parallel()
	srv := server(t, nil, "application/json", providertest.Fixture(t, "text.response.json"))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "anthropic/claude-3-haiku-20240307", Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), llm.WithAPIKey("k"), llm.WithRawResponse())
	require.NoError(t, err)
	assert.JSONEq(t, string(providertest.Fixture(t, "text.response.json")), string(resp.Meta.Raw))
	assert.Equal(t, "claude-3-haiku-20240307", resp.Meta.Model)
}

func TestAppendMatchesMarshal(t *testing.T) {
	t.Parallel()
	odd := llm.CompletionRequest{Model: "claude-3-haiku-20240307", Temperature: llm.Ptr(1e-7), TopP: llm.Ptr(0.1), User: "\u2028",
		Stop: llm.StringList{"\x00", "\t\r\n", "\"\\", "<&>", "\xff\xfe", "é✓"},
		Messages: []llm.Message{
			llm.UserParts(llm.TextPart("ctl \x01\x1f \u2029"), llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "file_011"}},
				llm.FilePart("a.txt", "data:text/plain;base64,aGVsbG8=")),
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call("t1", "f", `{ "a" : [1, 2.5e3, "x"] }`)}},
			{Role: llm.RoleTool, ToolCallID: "t1", Content: llm.Parts(llm.TextPart("r"), llm.ImagePart("https://x/y.png", "")),
				CacheControl: &llm.CacheControl{Type: "ephemeral", TTL: "1h"}},
		},
		Tools:      []llm.Tool{llm.FunctionTool("f", "", ` { "type" : "object" } `)},
		ToolChoice: llm.ToolChoiceNone, ParallelToolCalls: llm.Ptr(false), Extra: map[string]any{"top_k": 3}}
	cases := []*llm.CompletionRequest{&odd}
	for i := range requestCases {
		r := requestCases[i].req
		r.Model = strings.TrimPrefix(r.Model, "anthropic/")
		cases = append(cases, &r)
	}
	cfg := &llm.Config{DropUnsupportedParams: true}
	anthropic.WithBeta("b1")(cfg)
	for i, req := range cases {
		for _, opts := range []anthropic.EncodeOptions{{}, {Version: "bedrock-2023-05-31", OmitModel: true, Stream: true, BetasInBody: true}} {
			got, err := anthropic.EncodeRequest(req, cfg, opts)
			require.NoError(t, err, i)
			want, err := anthropic.EncodeWithStdlib(req, cfg, opts)
			require.NoError(t, err, i)
			assert.JSONEq(t, string(want), string(got), "case %d", i)
		}
	}
}

func TestStreamToolWithoutArguments(t *testing.T) {
	t.Parallel()
	var d anthropic.StreamDecoder
	var acc llm.Accumulator
	for _, e := range []string{
		`{"type":"message_start","message":{"id":"m","model":"claude-3-5-haiku","usage":{"input_tokens":5,"output_tokens":1}}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_time","input":{}}}`,
		`{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}`,
		`{"type":"message_stop"}`,
	} {
		c, err := d.Decode("", []byte(e))
		require.NoError(t, err)
		acc.Add(c)
	}
	want, err := anthropic.DecodeResponse([]byte(`{"id":"m","type":"message","role":"assistant","model":"claude-3-5-haiku",
		"content":[{"type":"tool_use","id":"toolu_1","name":"get_time","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":9}}`))
	require.NoError(t, err)
	got := acc.Response()
	assert.Equal(t, want.ToolCalls(), got.ToolCalls())
	assert.Equal(t, "{}", got.ToolCalls()[0].Function.Arguments)
}

func TestRetryAfterFromRateLimitReset(t *testing.T) {
	t.Parallel()
	reset := time.Now().Add(30 * time.Second).UTC().Format(time.RFC3339)
	h := http.Header{}
	h.Set("Anthropic-Ratelimit-Tokens-Remaining", "0")
	h.Set("Anthropic-Ratelimit-Tokens-Reset", reset)
	h.Set("Anthropic-Ratelimit-Requests-Remaining", "40")
	h.Set("Anthropic-Ratelimit-Requests-Reset", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	e := anthropic.ClassifyError(429, h, []byte(errorBody("rate_limit_error", "x")))
	assert.InDelta(t, 30, e.RetryAfter.Seconds(), 2, "the exhausted limit's reset, not the other one")
	h.Set("Retry-After", "5")
	e = anthropic.ClassifyError(429, h, []byte(errorBody("rate_limit_error", "x")))
	assert.Equal(t, 5*time.Second, e.RetryAfter, "retry-after wins")
}
