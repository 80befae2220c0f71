package gemini_test

import (
	"encoding/json"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/gemini"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

func encode(t *testing.T, req llm.CompletionRequest, opts ...llm.Option) (string, error) {
	t.Helper()
	var cfg llm.Config
	for _, o := range opts {
		o(&cfg)
	}
	if req.Messages == nil {
		req.Messages = []llm.Message{llm.UserText("hi")}
	}
	b, err := gemini.EncodeRequest(&req, &cfg)
	return string(b), err
}

func TestThinkingConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		model, effort string
		opts          []llm.Option
		want          string
	}{
		{"gemini-2.5-flash", "", nil, ``},
		{"gemini-2.5-flash", "none", nil, `{"thinkingBudget":0}`},
		{"gemini-2.5-flash", "minimal", nil, `{"includeThoughts":true,"thinkingBudget":128}`},
		{"gemini-2.5-flash-lite", "minimal", nil, `{"includeThoughts":true,"thinkingBudget":512}`},
		{"gemini-2.5-pro", "low", nil, `{"includeThoughts":true,"thinkingBudget":1024}`},
		{"gemini-2.5-pro", "medium", nil, `{"includeThoughts":true,"thinkingBudget":2048}`},
		{"gemini-2.5-pro", "high", nil, `{"includeThoughts":true,"thinkingBudget":4096}`},
		{"gemini-3-pro-preview", "low", nil, `{"includeThoughts":true,"thinkingLevel":"LOW"}`},
		{"gemini-3-pro-preview", "high", nil, `{"includeThoughts":true,"thinkingLevel":"HIGH"}`},
		{"gemini-3-flash-preview", "minimal", nil, `{"includeThoughts":true,"thinkingLevel":"MINIMAL"}`},
		{"gemini-3-flash-preview", "none", nil, `{"thinkingLevel":"MINIMAL"}`},
		{"gemini-2.5-pro", "high", []llm.Option{gemini.WithThinkingBudget(-1)}, `{"includeThoughts":true,"thinkingBudget":-1}`},
		{"gemini-2.5-flash", "", []llm.Option{gemini.WithThinkingBudget(0)}, `{"thinkingBudget":0}`},
	}
	for _, c := range cases {
		t.Run(c.model+"/"+c.effort, func(t *testing.T) {
			t.Parallel()
			body, err := encode(t, llm.CompletionRequest{Model: c.model, ReasoningEffort: c.effort}, c.opts...)
			require.NoError(t, err)
			got := gjson.Get(body, "generationConfig.thinkingConfig").Raw
			if c.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.JSONEq(t, c.want, got)
		})
	}
	_, err := encode(t, llm.CompletionRequest{Model: "gemini-2.5-pro", ReasoningEffort: "extreme"})
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
}

func TestToolChoiceAndFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		req  llm.CompletionRequest
		path string
		want string
	}{
		{"auto", llm.CompletionRequest{ToolChoice: llm.ToolChoiceAuto}, "toolConfig", `{"functionCallingConfig":{"mode":"AUTO"}}`},
		{"required", llm.CompletionRequest{ToolChoice: llm.ToolChoiceRequired}, "toolConfig", `{"functionCallingConfig":{"mode":"ANY"}}`},
		{"none", llm.CompletionRequest{ToolChoice: llm.ToolChoiceNone}, "toolConfig", `{"functionCallingConfig":{"mode":"NONE"}}`},
		{"function", llm.CompletionRequest{ToolChoice: llm.ToolChoiceFunction("f")}, "toolConfig", `{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["f"]}}`},
		{"json_object", llm.CompletionRequest{ResponseFormat: &llm.ResponseFormat{Type: "json_object"}}, "generationConfig", `{"responseMimeType":"application/json"}`},
		{"text format", llm.CompletionRequest{ResponseFormat: &llm.ResponseFormat{Type: "text"}}, "generationConfig", ``},
		{"logprobs", llm.CompletionRequest{Logprobs: true, TopLogprobs: llm.Ptr(3)}, "generationConfig", `{"responseLogprobs":true,"logprobs":3}`},
		{"max_completion_tokens wins", llm.CompletionRequest{MaxTokens: 10, MaxCompletionTokens: 20}, "generationConfig", `{"maxOutputTokens":20}`},
		{"topK from Extra", llm.CompletionRequest{Extra: map[string]any{"topK": 5}}, "generationConfig", `{"topK":5}`},
		{"Extra merged", llm.CompletionRequest{Extra: map[string]any{"labels": map[string]string{"team": "a"}}}, "labels", `{"team":"a"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.req.Model = "gemini-2.5-flash"
			body, err := encode(t, c.req)
			require.NoError(t, err)
			got := gjson.Get(body, c.path).Raw
			if c.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.JSONEq(t, c.want, got)
		})
	}
}

func TestEncodeDoesNotModifyRequest(t *testing.T) {
	t.Parallel()
	extra := map[string]any{"top_k": 3, "safety_settings": []any{}}
	req := llm.CompletionRequest{Model: "gemini-2.5-flash", Messages: []llm.Message{llm.UserText("hi")}, Extra: extra}
	_, err := gemini.EncodeRequest(&req, nil)
	require.NoError(t, err)
	assert.Len(t, extra, 2)
}

func TestEncodeInvalid(t *testing.T) {
	t.Parallel()
	cases := map[string][]llm.Message{
		"data URL not base64": {llm.UserParts(llm.ImagePart("data:image/png,abc", ""))},
		"data URL no mime":    {llm.UserParts(llm.ImagePart("data:;base64,abc", ""))},
		"orphan tool result":  {llm.UserText("hi"), llm.ToolResult("call_9", "x")},
		"arguments not object": {{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "c", Type: "function",
			Function: llm.FunctionCall{Name: "f", Arguments: "[1]"}}}}},
		"unknown role":  {{Role: "robot", Content: llm.Text("x")}},
		"empty file":    {llm.UserParts(llm.Part{Type: llm.PartFile, File: &llm.File{}})},
		"unknown part":  {llm.UserParts(llm.Part{Type: "video"})},
		"nil image_url": {llm.UserParts(llm.Part{Type: llm.PartImageURL})},
	}
	for name, msgs := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := encode(t, llm.CompletionRequest{Model: "m", Messages: msgs})
			assert.ErrorIs(t, err, llm.ErrInvalidRequest)
		})
	}
	_, err := encode(t, llm.CompletionRequest{Model: "m", Extra: map[string]any{"top_k": "high"}})
	assert.ErrorIs(t, err, llm.ErrInvalidRequest)
}

func TestToolNameFromMessageName(t *testing.T) {
	t.Parallel()
	// A tool result whose call is not in the conversation may name the
	// function itself.
	body, err := encode(t, llm.CompletionRequest{Model: "m", Messages: []llm.Message{
		llm.UserText("hi"), {Role: llm.RoleTool, ToolCallID: "x", Name: "lookup", Content: llm.Text(`{"ok":true}`)}}})
	require.NoError(t, err)
	var w struct {
		Contents []json.RawMessage `json:"contents"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &w))
	assert.JSONEq(t, `{"role":"user","parts":[{"text":"hi"},{"functionResponse":{"name":"lookup","response":{"ok":true}}}]}`, string(w.Contents[0]))
}
