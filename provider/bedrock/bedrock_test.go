package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/bedrock"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	claude      = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
	claudePath  = "/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0"
	testKeyID   = "AKIDEXAMPLE"
	testSecret  = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testSession = "session-token-example"
)

func testOptions(base string) []llm.Option {
	return []llm.Option{llm.WithBaseURL(base), bedrock.WithRegion("us-east-1"), bedrock.WithCredentials(testKeyID, testSecret, "")}
}

// envOptions are testOptions without credentials, for the key to come from
// the environment.
func envOptions(base string) []llm.Option {
	return []llm.Option{llm.WithBaseURL(base), bedrock.WithRegion("us-east-1")}
}

func errorEventFrame(msg string) []byte {
	return exceptionFrame("internalServerException", payload(map[string]any{"message": msg}))
}

func payload(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func converseUsage(u llm.Usage) map[string]any {
	return map[string]any{"inputTokens": u.PromptTokens, "outputTokens": u.CompletionTokens, "totalTokens": u.TotalTokens}
}

func streamFrames(pieces []string, u llm.Usage) [][]byte {
	frames := [][]byte{eventFrame("messageStart", payload(map[string]any{"role": "assistant", "p": "abcdefgh"}))}
	for _, p := range pieces {
		frames = append(frames, eventFrame("contentBlockDelta", payload(map[string]any{"contentBlockIndex": 0, "delta": map[string]any{"text": p}, "p": "abcd"})))
	}
	return append(frames,
		eventFrame("contentBlockStop", payload(map[string]any{"contentBlockIndex": 0})),
		eventFrame("messageStop", payload(map[string]any{"stopReason": "end_turn"})),
		eventFrame("metadata", payload(map[string]any{"usage": converseUsage(u), "metrics": map[string]any{"latencyMs": 100}})),
	)
}

func awsError(name, msg string) (http.Header, string) {
	return http.Header{"X-Amzn-Errortype": {name + ":http://internal.amazon.com/coral/com.amazon.bedrock/"}}, `{"message":` + fmt.Sprintf("%q", msg) + `}`
}

func errorCase(name string, status int, typ, msg string, kind llm.Kind) providertest.ErrorCase {
	h, body := awsError(typ, msg)
	return providertest.ErrorCase{Name: name, Status: status, Header: h, Body: body, Kind: kind}
}

// unknownMember is a content block, block start or delta of a kind
// Converse may add (each is a union typed by the key it holds).
func unknownMember() map[string]any {
	return map[string]any{providertest.UnknownType: providertest.UnknownBlock()}
}

// unknownFrames are ConverseStream events with what this translator does
// not know: an event of a new type (kept under PSFUnknown), and a content
// block (index 1) whose start and delta are of a new kind.
func unknownFrames() [][]byte {
	return [][]byte{
		eventFrame(providertest.UnknownType, payload(map[string]any{providertest.UnknownType: providertest.UnknownBlock()})),
		eventFrame("contentBlockStart", payload(map[string]any{"contentBlockIndex": 1, "start": unknownMember(), providertest.UnknownType: 1})),
		eventFrame("contentBlockDelta", payload(map[string]any{"contentBlockIndex": 1, "delta": unknownMember(), providertest.UnknownType: 1})),
		eventFrame("contentBlockStop", payload(map[string]any{"contentBlockIndex": 1})),
	}
}

// Harness is the conformance harness of the Converse wire format.
var Harness = providertest.Harness{
	Model:   "bedrock/" + claude,
	Options: testOptions,
	Completion: func(text string, u llm.Usage) []byte {
		return payload(map[string]any{
			"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"text": text}}}},
			"stopReason": "end_turn", "usage": converseUsage(u), "metrics": map[string]any{"latencyMs": 100},
		})
	},
	StreamFrames: streamFrames,
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		return payload(map[string]any{
			"output": map[string]any{"message": map[string]any{"role": "assistant",
				"content": []any{unknownMember(), map[string]any{"text": text}}}, providertest.UnknownType: 1},
			"stopReason": "end_turn", "usage": converseUsage(u), "metrics": map[string]any{"latencyMs": 100}, providertest.UnknownType: 1,
		})
	},
	UnknownFrames:     unknownFrames,
	UnknownKey:        bedrock.PSFUnknown,
	StreamContentType: bedrock.EventStreamContentType,
	StreamErrorFrame:  exceptionFrame("throttlingException", []byte(`{"message":"Too many tokens, please wait before trying again."}`)),
	StreamErrorKind:   llm.KindRateLimit,
	KeyEnv:            bedrock.EnvBearerToken,
	EnvOptions:        envOptions,
	ErrorEventFrame:   errorEventFrame,
	MalformedFrame:    eventFrame("contentBlockDelta", []byte(`{"contentBlockIndex":0,"delta":{"text":42}}`)),
	EnvelopeBody:      `{"__type":"com.amazon.coral.service#ThrottlingException","message":"Rate exceeded"}`,
	EnvelopeKind:      llm.KindBadResponse,
	BinaryFrames:      true,
	Errors: []providertest.ErrorCase{
		errorCase("400 validation", 400, "ValidationException", "1 validation error detected: Value at 'inferenceConfig.temperature' failed to satisfy constraint", llm.KindInvalidRequest),
		errorCase("400 context", 400, "ValidationException", "Input is too long for requested model.", llm.KindContextWindowExceeded),
		errorCase("400 too many input tokens", 400, "ValidationException", "The model returned the following errors: too many input tokens", llm.KindContextWindowExceeded),
		errorCase("400 quota", 400, "ServiceQuotaExceededException", "Your request exceeds the service quota for your account.", llm.KindQuotaExceeded),
		errorCase("403 access denied", 403, "AccessDeniedException", "You don't have access to the model with the specified model ID.", llm.KindPermissionDenied),
		errorCase("403 bad signature", 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", llm.KindAuthentication),
		errorCase("403 unknown key", 403, "UnrecognizedClientException", "The security token included in the request is invalid.", llm.KindAuthentication),
		errorCase("404", 404, "ResourceNotFoundException", "Could not resolve the foundation model from the provided model identifier.", llm.KindNotFound),
		errorCase("408", 408, "ModelTimeoutException", "Model has timed out in processing the request.", llm.KindTimeout),
		errorCase("424", 424, "ModelErrorException", "The model returned an error.", llm.KindServer),
		{Name: "429 throttled", Status: 429, Header: http.Header{"X-Amzn-Errortype": {"ThrottlingException"}, "Retry-After": {"3"}},
			Body: `{"message":"Too many requests, please wait before trying again."}`, Kind: llm.KindRateLimit},
		errorCase("429 not ready", 429, "ModelNotReadyException", "Model is not ready to serve inference requests.", llm.KindOverloaded),
		errorCase("500", 500, "InternalServerException", "Internal server error", llm.KindServer),
		errorCase("503", 503, "ServiceUnavailableException", "Bedrock is unable to process your request.", llm.KindOverloaded),
		{Name: "__type in body", Status: 400, Body: `{"__type":"com.amazon.coral.validate#ValidationException","message":"prompt is too long: 210000 tokens > 200000 maximum"}`, Kind: llm.KindContextWindowExceeded},
		{Name: "502 html", Status: 502, Body: "<html>Bad gateway</html>", Kind: llm.KindServer},
	},
}

func TestConformance(t *testing.T) {
	providertest.Run(t, Harness)
}

// server is providertest.Server with Bedrock's request id header.
func server(t *testing.T, check func(t *testing.T, r *http.Request, body []byte), contentType string, reply []byte) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	return providertest.Server(t, check, contentType, reply, "X-Amzn-Requestid", "5d2a8f3c-1b2e-4c8a-9f1e-7e6d5c4b3a21")
}

// toolsRequest is the request whose Converse body is
// testdata/tools.request.json.
func toolsRequest() llm.CompletionRequest {
	return llm.CompletionRequest{
		Model: "bedrock/" + claude,
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: llm.Text("You are a weather bot."), CacheControl: &llm.CacheControl{Type: "ephemeral"}},
			llm.UserParts(
				llm.TextPart("What is the weather in Paris and Lyon?"),
				llm.ImagePart("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "high"),
				llm.FilePart("Q3_report.pdf", "data:application/pdf;base64,JVBERi0xLjQK"),
			),
			{Role: llm.RoleAssistant, Content: llm.Text("Let me check both."),
				ThinkingBlocks: []llm.ThinkingBlock{{Type: "thinking", Thinking: "The user wants two cities.", Signature: "sig-1"}},
				ToolCalls: []llm.ToolCall{
					{ID: "tooluse_1", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
					{ID: "tooluse_2", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: ` {"city": "Lyon"} `}},
				}},
			llm.ToolResult("tooluse_1", "18C and sunny"),
			llm.ToolResult("tooluse_2", "15C, rain"),
			{Role: llm.RoleUser, Content: llm.Parts(llm.Part{Type: llm.PartText, Text: "Summarise in one line.", CacheControl: &llm.CacheControl{Type: "ephemeral", TTL: "1h"}})},
		},
		Tools: []llm.Tool{{Type: "function", CacheControl: &llm.CacheControl{Type: "ephemeral"}, Function: &llm.Function{
			Name: "get_weather", Description: "Current weather for a city",
			Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}`),
		}}},
		ToolChoice:  llm.ToolChoiceAuto,
		MaxTokens:   1024,
		Temperature: llm.Ptr(0.5),
		TopP:        llm.Ptr(0.9),
		Stop:        llm.StringList{"END"},
		ServiceTier: "priority",
		User:        "user-1",
		Extra: map[string]any{
			"top_k":           40,
			"guardrailConfig": map[string]any{"guardrailIdentifier": "gr-abc123", "guardrailVersion": "1", "trace": "enabled"},
		},
	}
}

func TestConverseWire(t *testing.T) {
	t.Parallel()
	wire := providertest.Fixture(t, "tools.request.json")
	srv, hits := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, claudePath+"/converse", r.URL.EscapedPath())
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "yes", r.Header.Get("X-Extra"))
		assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="+testKeyID+"/"), r.Header.Get("Authorization"))
		assert.Contains(t, r.Header.Get("Authorization"), "/us-west-2/bedrock/aws4_request, SignedHeaders=accept;content-length;content-type;host;x-amz-date;x-amz-security-token;x-extra, Signature=")
		assert.Len(t, r.Header.Get("X-Amz-Date"), len("20060102T150405Z"))
		assert.Equal(t, testSession, r.Header.Get("X-Amz-Security-Token"))
		assert.JSONEq(t, string(wire), string(body))
	}, "application/json", providertest.Fixture(t, "tools.response.json"))

	req := toolsRequest()
	resp, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), bedrock.WithRegion("us-west-2"),
		bedrock.WithCredentials(testKeyID, testSecret, testSession), llm.WithHeader("X-Extra", "yes"), llm.WithRawResponse())
	require.NoError(t, err)
	require.Equal(t, int32(1), hits.Load())
	assert.Equal(t, "5d2a8f3c-1b2e-4c8a-9f1e-7e6d5c4b3a21", resp.ID)
	assert.Equal(t, "chat.completion", resp.Object)
	assert.Equal(t, claude, resp.Model)
	require.Len(t, resp.Choices, 1)
	c := resp.Choices[0]
	assert.Equal(t, llm.FinishToolCalls, c.FinishReason)
	assert.Equal(t, "I'll look both up.", c.Message.Content.String())
	assert.Equal(t, "Paris first, then Lyon.", c.Message.ReasoningContent)
	assert.Equal(t, []llm.ThinkingBlock{{Type: "thinking", Thinking: "Paris first, then Lyon.", Signature: "EqQBCkYIARgCIkBsigExample=="}}, c.Message.ThinkingBlocks)
	assert.Equal(t, []llm.ToolCall{
		{ID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
		{ID: "tooluse_7hXrC2bKQxqYf3Yx1h0wXg", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Lyon","unit":"celsius"}`}},
	}, c.Message.ToolCalls)
	want := &llm.Usage{PromptTokens: 2460, CompletionTokens: 96, TotalTokens: 2556}
	want.PromptTokensDetails.CachedTokens = 1024
	want.PromptTokensDetails.CacheCreationTokens = 1024
	want.PromptTokensDetails.CacheCreation1hTokens = 1024
	assert.Equal(t, want, resp.Usage)
	assert.Equal(t, "bedrock", resp.Meta.Provider)
	assert.Equal(t, claude, resp.Meta.Model)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known, "the inference profile id is priced from the model table")
	assert.JSONEq(t, string(providertest.Fixture(t, "tools.response.json")), string(resp.Meta.Raw))
	assert.Equal(t, "ephemeral", req.Messages[0].CacheControl.Type, "the caller's request is not modified")
}

// Collect over the stream of an answer equals the non-streamed decode of the
// same answer.
// TestStreamCollectEqualsCompletion: a stream collected equals the
// non-streamed answer. "noinput" has two calls of tools without
// parameters (one with an empty input delta, one with none at all, as
// ConverseStream sends them: ContentBlockDeltaEvent's toolUse.input is the
// JSON text so far, bedrock-runtime-2023-09-30.service-2.json); Converse
// gives their input as {}, so the stream must end with arguments "{}" too.
func TestStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tools", "json", "noinput"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			streamSrv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
				assert.Equal(t, claudePath+"/converse-stream", r.URL.EscapedPath())
				assert.Equal(t, bedrock.EventStreamContentType, r.Header.Get("Accept"))
			}, bedrock.EventStreamContentType, binFixture(t, name))
			plainSrv, _ := server(t, nil, "application/json", providertest.Fixture(t, name+".response.json"))
			req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("weather?")}}
			if name == "json" {
				req.ResponseFormat = &llm.ResponseFormat{Type: "json_object"}
			}
			got, err := llm.Collect(llm.CompletionStream(t.Context(), req, testOptions(streamSrv.URL)...))
			require.NoError(t, err)
			want, err := llm.Completion(t.Context(), req, testOptions(plainSrv.URL)...)
			require.NoError(t, err)

			assert.Equal(t, want.ID, got.ID)
			assert.Equal(t, want.Model, got.Model)
			assert.Equal(t, want.Choices, got.Choices)
			assert.Equal(t, want.Usage, got.Usage)
			assert.Equal(t, "bedrock", got.Meta.Provider)
		})
	}
}

func TestStreamChunks(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, nil, bedrock.EventStreamContentType, binFixture(t, "tools"))
	var chunks []*llm.Chunk
	for c, err := range llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...) {
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
	require.NotEmpty(t, chunks)
	assert.Equal(t, llm.RoleAssistant, chunks[0].Choices[0].Delta.Role)
	var calls []llm.ToolCallDelta
	for i, c := range chunks {
		assert.Equal(t, "chat.completion.chunk", c.Object)
		if i < len(chunks)-1 {
			assert.Nil(t, c.Usage, "usage only on the last chunk")
		}
		for _, ch := range c.Choices {
			calls = append(calls, ch.Delta.ToolCalls...)
		}
	}
	// The first piece of each call has its index, id, type and name; the
	// others its index and argument fragments. Indexes count calls, not
	// content blocks (the calls are blocks 2 and 3).
	require.Len(t, calls, 6)
	assert.Equal(t, llm.ToolCallDelta{Index: 0, ID: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", Type: "function", Function: llm.FunctionCallDelta{Name: "get_weather"}}, calls[0])
	assert.Equal(t, llm.ToolCallDelta{Index: 0, Function: llm.FunctionCallDelta{Arguments: `{"city":`}}, calls[1])
	assert.Equal(t, 1, calls[3].Index)
	assert.Equal(t, "get_weather", calls[3].Function.Name)
	last := chunks[len(chunks)-1]
	require.NotNil(t, last.Usage)
	assert.Equal(t, 2556, last.Usage.TotalTokens)
	assert.Equal(t, llm.FinishToolCalls, last.Choices[0].FinishReason)
}

func TestJSONResponseFormat(t *testing.T) {
	t.Parallel()
	schema := `{"type":"object","properties":{"city":{"type":"string"},"temperature_c":{"type":"number"}},"required":["city"]}`
	var body map[string]json.RawMessage
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "json.response.json"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("Weather in Paris as JSON")},
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "weather", Schema: json.RawMessage(schema)}}}
	resp, err := llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.NoError(t, err)
	assert.JSONEq(t, `{"tools":[{"toolSpec":{"name":"json_tool_call","description":"Respond with JSON following the weather schema.","inputSchema":{"json":`+schema+`}}}],"toolChoice":{"tool":{"name":"json_tool_call"}}}`, string(body["toolConfig"]))
	assert.Equal(t, `{"city":"Paris","temperature_c":18}`, resp.Text())
	assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
	assert.Empty(t, resp.Choices[0].Message.ToolCalls)

	// With thinking on, the tool is offered but not forced (Claude forbids it).
	req.ReasoningEffort = "low"
	_, err = llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.NoError(t, err)
	assert.NotContains(t, string(body["toolConfig"]), "toolChoice")

	// A caller's tool may not take the JSON tool's name.
	req.Tools = []llm.Tool{llm.FunctionTool(bedrock.JSONTool, "", `{"type":"object"}`)}
	_, err = llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
}

func TestReasoningEffort(t *testing.T) {
	t.Parallel()
	var body map[string]json.RawMessage
	srv, hits := server(t, func(t *testing.T, r *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	call := func(model string, mut func(*llm.CompletionRequest), opts ...llm.Option) error {
		req := llm.CompletionRequest{Model: "bedrock/" + model, Messages: []llm.Message{llm.UserText("think")}, ReasoningEffort: "high"}
		if mut != nil {
			mut(&req)
		}
		_, err := llm.Completion(t.Context(), req, append(testOptions(srv.URL), opts...)...)
		return err
	}

	require.NoError(t, call(claude, nil))
	assert.JSONEq(t, `{"thinking":{"type":"enabled","budget_tokens":24576}}`, string(body["additionalModelRequestFields"]))
	assert.JSONEq(t, `{"maxTokens":28672}`, string(body["inferenceConfig"]))

	require.NoError(t, call(claude, func(r *llm.CompletionRequest) {
		r.ReasoningEffort, r.MaxTokens = "low", 8000
		r.Extra = map[string]any{"anthropic_beta": []string{"interleaved-thinking-2025-05-14"},
			"additionalModelRequestFields": map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": 3000}}}
	}))
	assert.JSONEq(t, `{"thinking":{"type":"enabled","budget_tokens":3000},"anthropic_beta":["interleaved-thinking-2025-05-14"]}`, string(body["additionalModelRequestFields"]),
		"an explicit additionalModelRequestFields object wins over the mapped effort")

	n := hits.Load()
	err := call(claude, func(r *llm.CompletionRequest) { r.MaxTokens = 1000 })
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "thinking budget")
	require.ErrorIs(t, call(claude, func(r *llm.CompletionRequest) { r.Temperature = llm.Ptr(0.2) }), llm.ErrUnsupported)
	require.ErrorIs(t, call(claude, func(r *llm.CompletionRequest) { r.ReasoningEffort = "extreme" }), llm.ErrInvalidRequest)
	require.ErrorIs(t, call("meta.llama3-3-70b-instruct-v1:0", nil), llm.ErrUnsupported)
	forced := func(r *llm.CompletionRequest) {
		r.Tools = []llm.Tool{llm.FunctionTool("f", "", `{"type":"object"}`)}
		r.ToolChoice = llm.ToolChoiceRequired
	}
	require.ErrorIs(t, call(claude, forced), llm.ErrUnsupported)
	assert.Equal(t, n, hits.Load(), "no request is sent for a bad reasoning request")

	require.NoError(t, call(claude, func(r *llm.CompletionRequest) { r.Temperature = llm.Ptr(0.2) }, llm.WithDropUnsupportedParams()))
	assert.NotContains(t, string(body["inferenceConfig"]), "temperature")
	require.NoError(t, call(claude, forced, llm.WithDropUnsupportedParams()))
	assert.Contains(t, string(body["toolConfig"]), `"toolChoice":{"auto":{}}`)
	require.NoError(t, call("meta.llama3-3-70b-instruct-v1:0", nil, llm.WithDropUnsupportedParams()))
	assert.NotContains(t, body, "additionalModelRequestFields")

	require.NoError(t, call(claude, func(r *llm.CompletionRequest) { r.ReasoningEffort = "none" }))
	assert.NotContains(t, body, "additionalModelRequestFields")
	assert.NotContains(t, body, "inferenceConfig")
}

func TestUnsupportedParams(t *testing.T) {
	t.Parallel()
	srv, hits := server(t, nil, "application/json", providertest.Fixture(t, "tools.response.json"))
	for name, mut := range map[string]func(*llm.CompletionRequest){
		"n":                 func(r *llm.CompletionRequest) { r.N = 2 },
		"logprobs":          func(r *llm.CompletionRequest) { r.Logprobs = true },
		"seed":              func(r *llm.CompletionRequest) { r.Seed = llm.Ptr[int64](1) },
		"presence_penalty":  func(r *llm.CompletionRequest) { r.PresencePenalty = llm.Ptr(0.5) },
		"frequency_penalty": func(r *llm.CompletionRequest) { r.FrequencyPenalty = llm.Ptr(0.5) },
		"logit_bias":        func(r *llm.CompletionRequest) { r.LogitBias = map[string]int{"1": 1} },
	} {
		req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}
		mut(&req)
		_, err := llm.Completion(t.Context(), req, testOptions(srv.URL)...)
		require.ErrorIs(t, err, llm.ErrUnsupported, name)
		_, err = llm.Completion(t.Context(), req, append(testOptions(srv.URL), llm.WithDropUnsupportedParams())...)
		require.NoError(t, err, name)
	}
	assert.Equal(t, int32(6), hits.Load())
}

func TestToolChoice(t *testing.T) {
	t.Parallel()
	var body map[string]json.RawMessage
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	tools := []llm.Tool{llm.FunctionTool("get_weather", "", `{"type":"object","properties":{"city":{"type":"string"}}}`), {Type: "function", Function: &llm.Function{Name: "no_params"}}}
	history := []llm.Message{
		llm.UserText("weather?"),
		{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "t1", Type: "function", Function: llm.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`}}}},
		llm.ToolResult("t1", "sunny"),
	}
	for _, c := range []struct {
		name   string
		choice *llm.ToolChoice
		msgs   []llm.Message
		want   string // toolConfig, or "" for none
	}{
		{"required", llm.ToolChoiceRequired, nil, `{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}},{"toolSpec":{"name":"no_params","inputSchema":{"json":{"type":"object","properties":{}}}}}],"toolChoice":{"any":{}}}`},
		{"function", llm.ToolChoiceFunction("no_params"), nil, `{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}},{"toolSpec":{"name":"no_params","inputSchema":{"json":{"type":"object","properties":{}}}}}],"toolChoice":{"tool":{"name":"no_params"}}}`},
		{"none", llm.ToolChoiceNone, nil, ""},
		{"none with tool history", llm.ToolChoiceNone, history, `{"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}}}}}},{"toolSpec":{"name":"no_params","inputSchema":{"json":{"type":"object","properties":{}}}}}]}`},
	} {
		msgs := c.msgs
		if msgs == nil {
			msgs = []llm.Message{llm.UserText("weather?")}
		}
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: msgs, Tools: tools, ToolChoice: c.choice}, testOptions(srv.URL)...)
		require.NoError(t, err, c.name)
		if c.want == "" {
			assert.NotContains(t, body, "toolConfig", c.name)
		} else {
			assert.JSONEq(t, c.want, string(body["toolConfig"]), c.name)
		}
	}
	// The tool history itself: consecutive assistant tool calls and tool
	// results become one turn each.
	assert.JSONEq(t, `[{"role":"user","content":[{"text":"weather?"}]},
		{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"get_weather","input":{"city":"Paris"}}}]},
		{"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"text":"sunny"}]}}]}]`, string(body["messages"]))
}

func TestMedia(t *testing.T) {
	t.Parallel()
	var body map[string]json.RawMessage
	srv, hits := server(t, func(t *testing.T, r *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	send := func(parts ...llm.Part) error {
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserParts(parts...)}}, testOptions(srv.URL)...)
		return err
	}
	require.NoError(t, send(
		llm.ImagePart("s3://bucket/cat.JPG", ""),
		llm.Part{Type: llm.PartImageURL, ImageURL: &llm.ImageURL{URL: "s3://bucket/photo", Format: "image/webp"}},
		llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "s3://bucket/notes.md"}},
		llm.FilePart("", "data:text/csv;base64,YSxi"),
		llm.FilePart("clip.mp4", "data:video/mp4;base64,AAAA"),
		llm.AudioPart("UklGRg==", "wav"),
	))
	assert.JSONEq(t, `[{"role":"user","content":[
		{"image":{"format":"jpeg","source":{"s3Location":{"uri":"s3://bucket/cat.JPG"}}}},
		{"image":{"format":"webp","source":{"s3Location":{"uri":"s3://bucket/photo"}}}},
		{"document":{"format":"md","name":"document-1","source":{"s3Location":{"uri":"s3://bucket/notes.md"}}}},
		{"document":{"format":"csv","name":"document-2","source":{"bytes":"YSxi"}}},
		{"video":{"format":"mp4","source":{"bytes":"AAAA"}}},
		{"audio":{"format":"wav","source":{"bytes":"UklGRg=="}}}]}]`, string(body["messages"]))

	n := hits.Load()
	for name, c := range map[string]struct {
		part llm.Part
		kind error
	}{
		"bmp image":      {llm.ImagePart("data:image/bmp;base64,AAAA", ""), llm.ErrInvalidRequest},
		"not base64":     {llm.ImagePart("data:image/png,AAAA", ""), llm.ErrInvalidRequest},
		"s3 no format":   {llm.ImagePart("s3://bucket/cat", ""), llm.ErrInvalidRequest},
		"file id":        {llm.Part{Type: llm.PartFile, File: &llm.File{FileID: "file-abc"}}, llm.ErrUnsupported},
		"zip file":       {llm.FilePart("a.zip", "data:application/zip;base64,AAAA"), llm.ErrInvalidRequest},
		"audio noformat": {llm.AudioPart("AAAA", ""), llm.ErrInvalidRequest},
	} {
		require.ErrorIs(t, send(c.part), c.kind, name)
	}
	assert.Equal(t, n, hits.Load(), "bad media fails before any request")
}

func TestModelRoutesAndRegions(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-central-1")
	t.Setenv("AWS_DEFAULT_REGION", "")
	type seen struct{ path, auth string }
	var got seen
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		got = seen{r.URL.EscapedPath(), r.Header.Get("Authorization")}
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	const arn = "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0"
	for _, c := range []struct {
		model, region, path, scope string
	}{
		{"bedrock/amazon.nova-pro-v1:0", "", "/model/amazon.nova-pro-v1%3A0/converse", "/eu-central-1/bedrock/"},
		{"bedrock/converse/amazon.nova-pro-v1:0", "", "/model/amazon.nova-pro-v1%3A0/converse", "/eu-central-1/bedrock/"},
		{"bedrock/" + arn, "", "/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", "/us-west-2/bedrock/"},
		{"bedrock/" + arn, "ap-south-1", "/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse", "/ap-south-1/bedrock/"},
		{"bedrock/global.anthropic.claude-sonnet-4-20250514-v1:0", "us-east-2", "/model/global.anthropic.claude-sonnet-4-20250514-v1%3A0/converse", "/us-east-2/bedrock/"},
	} {
		opts := []llm.Option{llm.WithBaseURL(srv.URL), bedrock.WithCredentials(testKeyID, testSecret, "")}
		if c.region != "" {
			opts = append(opts, bedrock.WithRegion(c.region))
		}
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: c.model, Messages: []llm.Message{llm.UserText("hi")}}, opts...)
		require.NoError(t, err, c.model)
		assert.Equal(t, c.path, got.path, c.model)
		assert.Contains(t, got.auth, c.scope, c.model)
	}
}

// noAmbientAWS clears every source of ambient AWS configuration.
func noAmbientAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", bedrock.EnvBearerToken, bedrock.EnvEndpoint, bedrock.EnvEndpointAWS, "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestBearerToken(t *testing.T) {
	noAmbientAWS(t)
	var auth, date string
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		auth, date = r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date")
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}

	// A Bedrock API key from the option needs no region with a base URL.
	_, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), llm.WithAPIKey("bedrock-api-key-ABSKexample"))
	require.NoError(t, err)
	assert.Equal(t, "Bearer bedrock-api-key-ABSKexample", auth)
	assert.Empty(t, date, "a bearer request is not signed")

	// From the environment, with the endpoint from the environment too.
	t.Setenv(bedrock.EnvBearerToken, "env-api-key-ABSK")
	t.Setenv(bedrock.EnvEndpoint, srv.URL)
	_, err = llm.Completion(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, "Bearer env-api-key-ABSK", auth)

	// Explicit SigV4 credentials win over the environment's API key.
	_, err = llm.Completion(t.Context(), req, bedrock.WithRegion("us-east-1"), bedrock.WithCredentials(testKeyID, testSecret, ""))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 "), auth)
}

func TestEnvCredentials(t *testing.T) {
	noAmbientAWS(t)
	var auth, token string
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		auth, token = r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token")
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	t.Setenv("AWS_SESSION_TOKEN", "env-session")
	t.Setenv("AWS_DEFAULT_REGION", "sa-east-1")
	t.Setenv(bedrock.EnvEndpointAWS, srv.URL)
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}})
	require.NoError(t, err)
	assert.Contains(t, auth, "Credential=AKIAENVEXAMPLE/")
	assert.Contains(t, auth, "/sa-east-1/bedrock/aws4_request")
	assert.Equal(t, "env-session", token)
}

func TestSharedConfigProfile(t *testing.T) {
	noAmbientAWS(t)
	dir := t.TempDir()
	require.NoError(t, writeFile(dir+"/config", "[profile dev]\nregion = ap-northeast-1\n"))
	require.NoError(t, writeFile(dir+"/credentials", "[dev]\naws_access_key_id = AKIAPROFILEEXAMPLE\naws_secret_access_key = profile-secret\n"))
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	var (
		mu   sync.Mutex // the concurrent calls below write auth at once
		auth string
	)
	srv, hits := server(t, func(t *testing.T, r *http.Request, b []byte) {
		mu.Lock()
		defer mu.Unlock()
		auth = r.Header.Get("Authorization")
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}

	// A provider of its own, so that the registered one's cache is not
	// involved.
	client := llm.NewClient(llm.WithProvider(bedrock.New(), llm.WithBaseURL(srv.URL)))
	_, err := client.Completion(t.Context(), req, bedrock.WithProfile("dev"))
	require.NoError(t, err)
	assert.Contains(t, auth, "Credential=AKIAPROFILEEXAMPLE/")
	assert.Contains(t, auth, "/ap-northeast-1/bedrock/aws4_request", "the region comes from the profile")

	t.Setenv("AWS_PROFILE", "dev")
	_, err = client.Completion(t.Context(), req)
	require.NoError(t, err)
	assert.Contains(t, auth, "Credential=AKIAPROFILEEXAMPLE/")

	_, err = client.Completion(t.Context(), req, bedrock.WithProfile("missing"))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Equal(t, int32(2), hits.Load())

	// Concurrent first calls on a fresh provider share one lazily loaded
	// chain (run with -race).
	fresh := llm.NewClient(llm.WithProvider(bedrock.New(), llm.WithBaseURL(srv.URL), bedrock.WithProfile("dev")))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := fresh.Completion(context.Background(), req)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(10), hits.Load())
}

func TestCredentialsProvider(t *testing.T) {
	t.Parallel()
	var auth, token string
	srv, hits := server(t, func(t *testing.T, r *http.Request, b []byte) {
		auth, token = r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token")
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}
	calls := 0
	cp := aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		calls++
		return aws.Credentials{AccessKeyID: "ASIAROLEEXAMPLE", SecretAccessKey: "role-secret", SessionToken: "role-session",
			CanExpire: true, Expires: time.Now().Add(time.Hour)}, nil
	}))
	for range 3 {
		_, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), bedrock.WithRegion("us-east-1"), bedrock.WithCredentialsProvider(cp))
		require.NoError(t, err)
	}
	assert.Contains(t, auth, "Credential=ASIAROLEEXAMPLE/")
	assert.Equal(t, "role-session", token)
	assert.Equal(t, 1, calls, "the SDK's cache serves later calls")

	failing := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, errors.New("sts: AssumeRole denied")
	})
	_, err := llm.Completion(t.Context(), req, llm.WithBaseURL(srv.URL), bedrock.WithRegion("us-east-1"), bedrock.WithCredentialsProvider(failing))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), "AssumeRole denied")
	assert.Equal(t, int32(3), hits.Load())
}

func writeFile(name, s string) error { return os.WriteFile(name, []byte(s), 0o600) }

func TestNoCredentials(t *testing.T) {
	noAmbientAWS(t)
	srv, hits := server(t, nil, "application/json", providertest.Fixture(t, "tools.response.json"))
	client := llm.NewClient(llm.WithProvider(bedrock.New(), llm.WithBaseURL(srv.URL), bedrock.WithRegion("us-east-1")))
	_, err := client.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}})
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.Contains(t, err.Error(), bedrock.EnvBearerToken)
	assert.Contains(t, err.Error(), "AWS_ACCESS_KEY_ID")
	assert.Equal(t, int32(0), hits.Load())

	// Static keys without a region, and no base URL: the region is missing.
	_, err = llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}},
		bedrock.WithCredentials(testKeyID, testSecret, ""))
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "AWS_REGION")

	_, err = llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}},
		bedrock.WithCredentials(testKeyID, "", ""), bedrock.WithRegion("us-east-1"))
	require.ErrorIs(t, err, llm.ErrAuthentication)
}

func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	cfg := &llm.Config{}
	bedrock.WithCredentials(testKeyID, testSecret, testSession)(cfg)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, cfg)
		assert.NotContains(t, s, testSecret, verb)
		assert.NotContains(t, s, testSession, verb)
	}
	// A 403 whose message echoes the signature does not carry the secret:
	// the secret is never sent.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, body := awsError("InvalidSignatureException", "The request signature we calculated does not match: "+r.Header.Get("Authorization"))
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(403)
		_, _ = w.Write([]byte(body))
	}))
	defer srv.Close()
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}},
		llm.WithBaseURL(srv.URL), bedrock.WithRegion("us-east-1"), bedrock.WithCredentials(testKeyID, testSecret, testSession))
	require.ErrorIs(t, err, llm.ErrAuthentication)
	assert.NotContains(t, err.Error(), testSecret)
}

func TestStreamExceptions(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		typ, payload string
		kind         llm.Kind
	}{
		{"throttlingException", `{"message":"Too many tokens"}`, llm.KindRateLimit},
		{"validationException", `{"message":"Input is too long for requested model."}`, llm.KindContextWindowExceeded},
		{"validationException", `{"message":"Malformed input request"}`, llm.KindInvalidRequest},
		{"serviceUnavailableException", `{"message":"unavailable"}`, llm.KindOverloaded},
		{"internalServerException", `{"message":"internal"}`, llm.KindServer},
		{"modelStreamErrorException", `{"message":"model failed","originalStatusCode":429,"originalMessage":"slow down"}`, llm.KindRateLimit},
		{"modelStreamErrorException", `{"message":"model failed"}`, llm.KindServer},
		{"somethingNewException", `{"message":"?"}`, llm.KindServer},
	} {
		frames := append(streamFrames([]string{"Hel"}, llm.Usage{})[:2], exceptionFrame(c.typ, []byte(c.payload)))
		srv, _ := server(t, nil, bedrock.EventStreamContentType, joinFrames(frames))
		text := ""
		var errs []error
		for ch, err := range llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			text += ch.Choices[0].Delta.Content
		}
		require.Len(t, errs, 1, c.typ)
		var le *llm.Error
		require.ErrorAs(t, errs[0], &le)
		assert.Equal(t, c.kind, le.Kind, c.typ+" "+c.payload)
		assert.Equal(t, strings.ToUpper(c.typ[:1])+c.typ[1:], le.Code)
		assert.Equal(t, "Hel", text)
	}

	// The :message-type error form.
	errFrame, err := eventstreamError("InternalFailure", "An internal error occurred")
	require.NoError(t, err)
	srv, _ := server(t, nil, bedrock.EventStreamContentType, errFrame)
	_, err = llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...))
	require.ErrorIs(t, err, llm.ErrServer)
	assert.Contains(t, err.Error(), "An internal error occurred")

	// The throttled fixture.
	srv, _ = server(t, nil, bedrock.EventStreamContentType, binFixture(t, "throttled"))
	got, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...))
	require.ErrorIs(t, err, llm.ErrRateLimit)
	assert.Equal(t, "Hel", got.Text())
}

func joinFrames(frames [][]byte) []byte {
	var b []byte
	for _, f := range frames {
		b = append(b, f...)
	}
	return b
}

func TestCorruptStreams(t *testing.T) {
	t.Parallel()
	good := joinFrames(streamFrames([]string{"Hello", " world"}, llm.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}))
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-30] ^= 0x20 // inside the last message's payload
	for name, body := range map[string][]byte{
		"message checksum":      flipped,
		"truncated":             good[:len(good)-7],
		"ends before stop":      joinFrames(streamFrames([]string{"Hello"}, llm.Usage{})[:2]),
		"garbage":               []byte("<html>not an event stream</html>"),
		"block index too large": joinFrames([][]byte{eventFrame("contentBlockDelta", []byte(`{"contentBlockIndex":99999999,"delta":{"text":"x"}}`))}),
		"delta without delta":   joinFrames([][]byte{eventFrame("contentBlockDelta", []byte(`{"contentBlockIndex":0}`))}),
	} {
		srv, _ := server(t, nil, bedrock.EventStreamContentType, body)
		_, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...))
		require.ErrorIs(t, err, llm.ErrBadResponse, name)
	}
	// An event type this version does not know is skipped, whatever its
	// payload.
	frames := streamFrames([]string{"Hello"}, llm.Usage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: 2})
	withNew := append([][]byte{frames[0], eventFrame("futureEvent", []byte(`{"delta":"not an object"}`))}, frames[1:]...)
	srv, _ := server(t, nil, bedrock.EventStreamContentType, joinFrames(withNew))
	got, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...))
	require.NoError(t, err)
	assert.Equal(t, "Hello", got.Text())

	// messageStop without metadata (the usage) is a stream cut off.
	frames = streamFrames([]string{"Hello"}, llm.Usage{})
	srv, _ = server(t, nil, bedrock.EventStreamContentType, joinFrames(frames[:len(frames)-1]))
	_, err = llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...))
	require.ErrorIs(t, err, llm.ErrBadResponse)
	assert.Contains(t, err.Error(), "ended before its metadata event")
}

func TestBadResponseBody(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not json":  "nope",
		"no output": `{"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`,
		"bad types": `{"output":{"message":{"role":"assistant","content":"x"}}}`,
	} {
		srv, _ := server(t, nil, "application/json", []byte(body))
		_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...)
		require.ErrorIs(t, err, llm.ErrBadResponse, name)
	}
}

func TestFinishReasons(t *testing.T) {
	t.Parallel()
	for stop, want := range map[string]string{
		"end_turn": llm.FinishStop, "stop_sequence": llm.FinishStop, "max_tokens": llm.FinishLength,
		"model_context_window_exceeded": llm.FinishLength, "tool_use": llm.FinishToolCalls,
		"content_filtered":       llm.FinishContentFilter, // guardrail_intervened is an error: TestGuardrailIntervened
		"malformed_model_output": llm.FinishStop,
	} {
		body := payload(map[string]any{"output": map[string]any{"message": map[string]any{"role": "assistant", "content": []any{map[string]any{"text": "x"}}}},
			"stopReason": stop, "usage": map[string]any{"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}})
		srv, _ := server(t, nil, "application/json", body)
		resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(srv.URL)...)
		require.NoError(t, err)
		assert.Equal(t, want, resp.Choices[0].FinishReason, stop)
	}
}

// TestSigV4CredentialsRedacted checks that the secret access key and session
// token, from bedrock.WithCredentials or the environment, are scrubbed from
// errors (no t.Parallel: t.Setenv).
func TestSigV4CredentialsRedacted(t *testing.T) {
	const secret, session = "sigv4-secret-access-key-0123", "sigv4-session-token-0123"
	for _, v := range []string{bedrock.EnvBearerToken, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(v, "")
	}
	w := providertest.NewRecorder(t, 403, "application/json",
		[]byte(`{"message":"The request signature we calculated does not match: secret `+secret+` token `+session+`"}`))
	cases := map[string][]llm.Option{
		"option": {bedrock.WithCredentials(testKeyID, secret, session)},
		"env":    nil,
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			if opts == nil {
				t.Setenv("AWS_ACCESS_KEY_ID", testKeyID)
				t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
				t.Setenv("AWS_SESSION_TOKEN", session)
			}
			opts = append(opts, llm.WithBaseURL(w.URL), bedrock.WithRegion("us-east-1"))
			_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, opts...)
			require.Error(t, err)
			r, _ := w.Last()
			require.Equal(t, session, r.Header.Get("X-Amz-Security-Token"))
			providertest.AssertRedacted(t, err, secret, session)
		})
	}
}
