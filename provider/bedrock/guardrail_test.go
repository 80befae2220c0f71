package bedrock_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/bedrock"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The guardrail fixtures follow the Converse and ConverseStream shapes of
// bedrock-runtime-2023-09-30.service-2.json: GuardrailConfiguration
// (guardrailIdentifier, guardrailVersion, trace enabled|disabled|
// enabled_full), ConverseResponse.trace / ConverseStreamMetadataEvent.trace
// (ConverseTrace.guardrail, a GuardrailTraceAssessment with
// inputAssessment, outputAssessments, modelOutput, actionReason), and
// StopReason guardrail_intervened, with which Converse answers 200 and the
// guardrail's blocked-input message in place of the model's answer.

const guardrailTrace = `{"guardrail":{"inputAssessment":{"gr-abc123":{"topicPolicy":{"topics":[{"name":"Investment advice","type":"DENY","action":"BLOCKED","detected":true}]},
	"invocationMetrics":{"guardrailProcessingLatency":211,"usage":{"topicPolicyUnits":1}}}},"actionReason":"Guardrail blocked."}}`

// TestGuardrailConfig: bedrock.WithGuardrail puts guardrailConfig in the
// Converse and ConverseStream bodies; Extra["guardrailConfig"] replaces it.
func TestGuardrailConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		opt   llm.Option
		extra map[string]any
		want  string
	}{
		{"option", bedrock.WithGuardrail("gr-abc123", "1", bedrock.GuardrailTraceEnabled), nil,
			`{"guardrailIdentifier":"gr-abc123","guardrailVersion":"1","trace":"enabled"}`},
		{"option, no trace", bedrock.WithGuardrail("gr-abc123", "DRAFT", ""), nil,
			`{"guardrailIdentifier":"gr-abc123","guardrailVersion":"DRAFT"}`},
		{"extra wins", bedrock.WithGuardrail("gr-abc123", "1", bedrock.GuardrailTraceEnabledFull),
			map[string]any{"guardrailConfig": map[string]any{"guardrailIdentifier": "gr-other", "guardrailVersion": "2", "streamProcessingMode": "async"}},
			`{"guardrailIdentifier":"gr-other","guardrailVersion":"2","streamProcessingMode":"async"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check := func(t *testing.T, _ *http.Request, body []byte) {
				var w map[string]json.RawMessage
				require.NoError(t, json.Unmarshal(body, &w))
				assert.JSONEq(t, tc.want, string(w["guardrailConfig"]))
			}
			plain, _ := server(t, check, "application/json", providertest.Fixture(t, "tools.response.json"))
			stream, _ := server(t, check, bedrock.EventStreamContentType, binFixture(t, "tools"))
			req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}, Extra: tc.extra}
			_, err := llm.Completion(t.Context(), req, append(testOptions(plain.URL), tc.opt)...)
			require.NoError(t, err)
			_, err = llm.Collect(llm.CompletionStream(t.Context(), req, append(testOptions(stream.URL), tc.opt)...))
			require.NoError(t, err)
		})
	}
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}},
		append(testOptions("http://127.0.0.1:1"), bedrock.WithGuardrail("", "1", ""))...)
	assert.ErrorIs(t, err, llm.ErrInvalidRequest, "a guardrail needs an identifier")
}

// TestGuardrailInvokeHeaders: on the InvokeModel route the option becomes
// the X-Amzn-Bedrock-Guardrail* and X-Amzn-Bedrock-Trace headers.
func TestGuardrailInvokeHeaders(t *testing.T) {
	t.Parallel()
	srv, _ := server(t, func(t *testing.T, r *http.Request, body []byte) {
		assert.Equal(t, "gr-abc123", r.Header.Get("X-Amzn-Bedrock-Guardrailidentifier"))
		assert.Equal(t, "1", r.Header.Get("X-Amzn-Bedrock-Guardrailversion"))
		assert.Equal(t, "ENABLED", r.Header.Get("X-Amzn-Bedrock-Trace"))
		assert.NotContains(t, string(body), "guardrail")
	}, "application/json", providertest.Fixture(t, "invoke.response.json"))
	_, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/invoke/" + claude, Messages: []llm.Message{llm.UserText("hi")}},
		append(testOptions(srv.URL), bedrock.WithGuardrail("gr-abc123", "1", bedrock.GuardrailTraceEnabled))...)
	require.NoError(t, err)
}

// TestGuardrailIntervened: Converse's 200 answer with stopReason
// guardrail_intervened is a KindContentPolicy error (so that content-policy
// fallbacks run), whose Detail holds the guardrail's replacement text and
// its trace, streamed or not.
func TestGuardrailIntervened(t *testing.T) {
	t.Parallel()
	plain, _ := server(t, nil, "application/json", providertest.Fixture(t, "guardrail.response.json"))
	stream, _ := server(t, nil, bedrock.EventStreamContentType, binFixture(t, "guardrail"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("Which stocks should I buy?")}}
	opts := []llm.Option{bedrock.WithGuardrail("gr-abc123", "1", bedrock.GuardrailTraceEnabled)}
	_, err := llm.Completion(t.Context(), req, append(testOptions(plain.URL), opts...)...)
	_, serr := llm.Collect(llm.CompletionStream(t.Context(), req, append(testOptions(stream.URL), opts...)...))
	for name, err := range map[string]error{"converse": err, "stream": serr} {
		require.ErrorIs(t, err, llm.ErrContentPolicy, name)
		le := err.(*llm.Error)
		assert.Equal(t, "guardrail_intervened", le.Code, name)
		assert.Contains(t, le.Message, "Sorry, the model cannot answer this question.", name)
		assert.JSONEq(t, `{"text":"Sorry, the model cannot answer this question.","trace":`+guardrailTrace+`}`, string(le.Detail), name)
	}
}

// TestGuardrailTraceKept: an answer the guardrail let through keeps its
// trace in ProviderSpecificFields[bedrock.PSFTrace], streamed or not.
func TestGuardrailTraceKept(t *testing.T) {
	t.Parallel()
	var body map[string]any
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, "guardrail.response.json"), &body))
	body["stopReason"] = "end_turn"
	b, _ := json.Marshal(body)
	plain, _ := server(t, nil, "application/json", b)
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(plain.URL)...)
	require.NoError(t, err)
	tr, ok := resp.Choices[0].Message.ProviderSpecificFields[bedrock.PSFTrace].(json.RawMessage)
	require.True(t, ok, "%#v", resp.Choices[0].Message.ProviderSpecificFields)
	assert.JSONEq(t, guardrailTrace, string(tr))

	frames := framesOf(t, "guardrail")
	frames[3] = eventFrame("messageStop", []byte(`{"stopReason":"end_turn"}`))
	stream, _ := server(t, nil, bedrock.EventStreamContentType, joinFrames(frames))
	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(stream.URL)...))
	require.NoError(t, err)
	tr, ok = sresp.Choices[0].Message.ProviderSpecificFields[bedrock.PSFTrace].(json.RawMessage)
	require.True(t, ok)
	assert.JSONEq(t, guardrailTrace, string(tr))
}

// TestUnknownBlocksKept: a content block or stream event of a type this
// translator does not know does not fail the call; it is kept raw in
// ProviderSpecificFields[bedrock.PSFUnknown].
func TestUnknownBlocksKept(t *testing.T) {
	t.Parallel()
	body := `{"output":{"message":{"role":"assistant","content":[{"text":"hi"},{"hologram":{"frames":[1,2]}}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`
	plain, _ := server(t, nil, "application/json", []byte(body))
	resp, err := llm.Completion(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(plain.URL)...)
	require.NoError(t, err)
	assert.Equal(t, "hi", resp.Text())
	raw, ok := resp.Choices[0].Message.ProviderSpecificFields[bedrock.PSFUnknown].([]json.RawMessage)
	require.True(t, ok, "%#v", resp.Choices[0].Message.ProviderSpecificFields)
	require.Len(t, raw, 1)
	assert.JSONEq(t, `{"hologram":{"frames":[1,2]}}`, string(raw[0]))

	frames := streamFrames([]string{"hi"}, llm.Usage{PromptTokens: 1, CompletionTokens: 1, TotalTokens: 2})
	frames = append(frames[:2], append([][]byte{eventFrame("hologramDelta", []byte(`{"frames":[1,2]}`))}, frames[2:]...)...)
	stream, _ := server(t, nil, bedrock.EventStreamContentType, joinFrames(frames))
	sresp, err := llm.Collect(llm.CompletionStream(t.Context(), llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserText("hi")}}, testOptions(stream.URL)...))
	require.NoError(t, err)
	assert.Equal(t, "hi", sresp.Text())
	raw, ok = sresp.Choices[0].Message.ProviderSpecificFields[bedrock.PSFUnknown].([]json.RawMessage)
	require.True(t, ok)
	require.Len(t, raw, 1)
	assert.JSONEq(t, `{"hologramDelta":{"frames":[1,2]}}`, string(raw[0]))
}
