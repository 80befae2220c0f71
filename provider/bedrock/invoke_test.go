package bedrock_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/llmux/llm/provider/bedrock"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	invokeModel = "bedrock/invoke/anthropic.claude-3-5-sonnet-20241022-v2:0"
	invokePath  = "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0"
)

func invokeRequest() llm.CompletionRequest {
	return llm.CompletionRequest{Model: invokeModel,
		Messages:  []llm.Message{llm.SystemText("Be brief."), llm.UserText("Hello")},
		MaxTokens: 256, Temperature: llm.Ptr(0.7), Stop: llm.StringList{"\n\nHuman:"},
		Extra: map[string]any{"top_k": 50}}
}

func TestInvokeWire(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, invokePath+"/invoke", r.URL.EscapedPath())
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Header.Get("Authorization"), "/us-east-1/bedrock/aws4_request")
		assert.JSONEq(t, string(providertest.Fixture(t, "invoke.request.json")), string(body))
	}, "application/json", providertest.Fixture(t, "invoke.response.json"))
	resp, err := llm.Completion(t.Context(), invokeRequest(), testOptions(srv.URL)...)
	require.NoError(t, err)
	assert.Equal(t, "Hello! How can I help you today?", resp.Text())
	assert.Equal(t, llm.FinishStop, resp.Choices[0].FinishReason)
	assert.Equal(t, "msg_bdrk_01XFDUDYJgAACzvnptvVoYEL", resp.ID)
	assert.Equal(t, 23, resp.Usage.TotalTokens)
	assert.Equal(t, "anthropic.claude-3-5-sonnet-20241022-v2:0", resp.Model, "the Bedrock model id, which Bedrock prices")
	assert.Equal(t, "bedrock", resp.Meta.Provider)
	require.NotNil(t, resp.Meta.Cost)
	assert.True(t, resp.Meta.Cost.Known, "priced from the model table as bedrock/<id>")
}

func TestInvokeStreamCollectEqualsCompletion(t *testing.T) {
	t.Parallel()
	streamSrv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, invokePath+"/invoke-with-response-stream", r.URL.EscapedPath())
		assert.Equal(t, bedrock.EventStreamContentType, r.Header.Get("Accept"))
		assert.Equal(t, "application/json", r.Header.Get("X-Amzn-Bedrock-Accept"))
		assert.JSONEq(t, string(providertest.Fixture(t, "invoke.request.json")), string(body), "Bedrock takes no stream field: the path streams")
	}, bedrock.EventStreamContentType, binFixture(t, "invoke"))
	plainSrv, _ := server(t, nil, "application/json", providertest.Fixture(t, "invoke.response.json"))
	got, err := llm.Collect(llm.CompletionStream(t.Context(), invokeRequest(), testOptions(streamSrv.URL)...))
	require.NoError(t, err)
	want, err := llm.Completion(t.Context(), invokeRequest(), testOptions(plainSrv.URL)...)
	require.NoError(t, err)
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, want.Model, got.Model)
	assert.Equal(t, want.Choices, got.Choices)
	assert.Equal(t, want.Usage, got.Usage)
}

func TestInvokeStreamErrors(t *testing.T) {
	t.Parallel()
	frames := framesOf(t, "invoke")
	req := invokeRequest()
	for name, c := range map[string]struct {
		body []byte
		kind error
		text string
	}{
		"exception":             {joinFrames(append(frames[:3:3], exceptionFrame("modelStreamErrorException", []byte(`{"message":"The model failed","originalStatusCode":500}`)))), llm.ErrServer, "Hello! How "},
		"anthropic error event": {joinFrames(append(frames[:3:3], chunkFrame([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)))), llm.ErrOverloaded, "Hello! How "},
		"cut short":             {joinFrames(frames[:4]), llm.ErrBadResponse, "Hello! How can I help you today?"},
		"bad bytes":             {joinFrames(append(frames[:3:3], eventFrame("chunk", []byte(`{"bytes":"%%%"}`)))), llm.ErrBadResponse, "Hello! How "},
		"corrupt frame":         {joinFrames(frames)[:40], llm.ErrBadResponse, ""},
	} {
		srv, _ := server(t, nil, bedrock.EventStreamContentType, c.body)
		got, err := llm.Collect(llm.CompletionStream(t.Context(), req, testOptions(srv.URL)...))
		require.ErrorIs(t, err, c.kind, name)
		assert.Equal(t, c.text, got.Text(), name)
	}
}

func TestInvokeOnlyClaude(t *testing.T) {
	t.Parallel()
	srv, hits := server(t, nil, "application/json", providertest.Fixture(t, "invoke.response.json"))
	req := llm.CompletionRequest{Model: "bedrock/invoke/meta.llama3-3-70b-instruct-v1:0", Messages: []llm.Message{llm.UserText("hi")}}
	_, err := llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.ErrorIs(t, err, llm.ErrUnsupported)
	_, err = llm.Collect(llm.CompletionStream(t.Context(), req, testOptions(srv.URL)...))
	require.ErrorIs(t, err, llm.ErrUnsupported)
	assert.Equal(t, int32(0), hits.Load())
}

// Thinking and JSON output on InvokeModel come from the Anthropic
// translator: the body is Anthropic's, with Bedrock's version and no model.
func TestInvokeThinkingAndJSON(t *testing.T) {
	t.Parallel()
	var body map[string]json.RawMessage
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "invoke.response.json"))
	req := llm.CompletionRequest{Model: invokeModel, Messages: []llm.Message{llm.UserText("think")}, ReasoningEffort: "low",
		ResponseFormat: &llm.ResponseFormat{Type: "json_schema", JSONSchema: &llm.JSONSchema{Name: "x", Schema: json.RawMessage(`{"type":"object"}`)}}}
	_, err := llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"enabled","budget_tokens":2048}`, string(body["thinking"]))
	assert.JSONEq(t, `"bedrock-2023-05-31"`, string(body["anthropic_version"]))
	assert.NotContains(t, body, "model")
	assert.NotContains(t, body, "output_format", "Bedrock gets the forced JSON tool, not the beta output_format")
	assert.Contains(t, string(body["tools"]), bedrock.JSONTool)
}

func TestInvokeGuardrailHeadersAndARN(t *testing.T) {
	t.Parallel()
	var h http.Header
	var body map[string]json.RawMessage
	var path string
	srv, _ := server(t, func(t *testing.T, r *http.Request, b []byte) {
		h, path, body = r.Header.Clone(), r.URL.EscapedPath(), nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "invoke.response.json"))
	const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
	req := llm.CompletionRequest{Model: "bedrock/invoke/" + arn, Messages: []llm.Message{llm.UserText("hi")},
		Extra: map[string]any{"guardrailConfig": map[string]any{"guardrailIdentifier": "gr-abc123", "guardrailVersion": "DRAFT", "trace": "enabled"}, "top_k": 5}}
	_, err := llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.NoError(t, err)
	assert.Equal(t, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3d4e5f6/invoke", path)
	assert.Equal(t, "gr-abc123", h.Get("X-Amzn-Bedrock-Guardrailidentifier"))
	assert.Equal(t, "DRAFT", h.Get("X-Amzn-Bedrock-Guardrailversion"))
	assert.Equal(t, "ENABLED", h.Get("X-Amzn-Bedrock-Trace"))
	assert.Contains(t, h.Get("Authorization"), "x-amzn-bedrock-guardrailidentifier", "the guardrail headers are signed")
	assert.NotContains(t, body, "guardrailConfig")
	assert.JSONEq(t, `5`, string(body["top_k"]))
	assert.Contains(t, req.Extra, "guardrailConfig", "the caller's Extra is not modified")

	req.Extra = map[string]any{"guardrailConfig": "nope"}
	_, err = llm.Completion(t.Context(), req, testOptions(srv.URL)...)
	require.ErrorIs(t, err, llm.ErrInvalidRequest)
}

func anthropicEvent(v any) []byte { return chunkFrame(payload(v)) }

// textChunkFrame is a chunk frame with a text delta. providertest finds the
// frame carrying a piece by searching the raw bytes, which the base64
// payload hides, so the frame also carries the piece in a header of its
// own; the decoder ignores headers it does not know.
func textChunkFrame(text string) []byte {
	ev := payload(map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": text}})
	body := payload(map[string]string{"bytes": base64.StdEncoding.EncodeToString(ev)})
	if len(text) > 100 {
		return eventFrame("chunk", body)
	}
	b, err := eventstream.AppendMessage(nil, []eventstream.Header{
		eventstream.String(":event-type", "chunk"),
		eventstream.String(":content-type", "application/json"),
		eventstream.String(":message-type", "event"),
		eventstream.String("x-test-text", text),
	}, body)
	if err != nil {
		panic(err)
	}
	return b
}

// InvokeHarness is the conformance harness of InvokeModel for Claude: the
// Anthropic Messages format inside Bedrock's envelope and event stream.
var InvokeHarness = providertest.Harness{
	Model:   invokeModel,
	Options: testOptions,
	Completion: func(text string, u llm.Usage) []byte {
		return payload(map[string]any{"id": "msg_bdrk_1", "type": "message", "role": "assistant", "model": "claude-3-5-sonnet-20241022",
			"content": []any{map[string]any{"type": "text", "text": text}}, "stop_reason": "end_turn",
			"usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
	},
	StreamFrames: func(pieces []string, u llm.Usage) [][]byte {
		frames := [][]byte{
			anthropicEvent(map[string]any{"type": "message_start", "message": map[string]any{"id": "msg_bdrk_1", "type": "message", "role": "assistant",
				"model": "claude-3-5-sonnet-20241022", "content": []any{}, "usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": 1}}}),
			anthropicEvent(map[string]any{"type": "content_block_start", "index": 0, "content_block": map[string]any{"type": "text", "text": ""}}),
		}
		for _, p := range pieces {
			frames = append(frames, textChunkFrame(p))
		}
		return append(frames,
			anthropicEvent(map[string]any{"type": "content_block_stop", "index": 0}),
			anthropicEvent(map[string]any{"type": "message_delta", "delta": map[string]any{"stop_reason": "end_turn"}, "usage": map[string]any{"output_tokens": u.CompletionTokens}}),
			anthropicEvent(map[string]any{"type": "message_stop", "amazon-bedrock-invocationMetrics": map[string]any{"inputTokenCount": u.PromptTokens, "outputTokenCount": u.CompletionTokens}}),
		)
	},
	UnknownCompletion: func(text string, u llm.Usage) []byte {
		return payload(map[string]any{"id": "msg_bdrk_1", "type": "message", "role": "assistant", "model": "claude-3-5-sonnet-20241022",
			"content": []any{providertest.UnknownBlock(), map[string]any{"type": "text", "text": text}}, "stop_reason": "end_turn",
			"usage": map[string]any{"input_tokens": u.PromptTokens, "output_tokens": u.CompletionTokens}})
	},
	UnknownFrames: func() [][]byte {
		return [][]byte{
			anthropicEvent(map[string]any{"type": providertest.UnknownType, "index": "zero", "delta": 5}),
			anthropicEvent(map[string]any{"type": "content_block_start", "index": 1, "content_block": providertest.UnknownBlock()}),
			anthropicEvent(map[string]any{"type": "content_block_delta", "index": 1, "delta": map[string]any{"type": providertest.UnknownType + "_delta", "text": 1}}),
			anthropicEvent(map[string]any{"type": "content_block_stop", "index": 1}),
			eventFrame(providertest.UnknownType, payload(map[string]any{providertest.UnknownType: 1})),
		}
	},
	UnknownKey:        anthropic.BlocksField,
	StreamContentType: bedrock.EventStreamContentType,
	StreamErrorFrame:  exceptionFrame("throttlingException", []byte(`{"message":"Too many requests, please wait before trying again."}`)),
	StreamErrorKind:   llm.KindRateLimit,
	KeyEnv:            bedrock.EnvBearerToken,
	EnvOptions:        envOptions,
	ErrorEventFrame:   errorEventFrame,
	MalformedFrame:    anthropicEvent(map[string]any{"type": "content_block_delta", "index": 0, "delta": map[string]any{"type": "text_delta", "text": 42}}),
	Errors:            Harness.Errors,
	EnvelopeBody:      Harness.EnvelopeBody,
	EnvelopeKind:      Harness.EnvelopeKind,
	BinaryFrames:      true,
}

func TestConformanceInvoke(t *testing.T) {
	providertest.Run(t, InvokeHarness)
}
