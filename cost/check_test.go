package cost

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		model string
		req   Request
		want  error // nil, ErrContextWindow or ErrUnsupported
	}{
		{"fits", "gpt-4o", Request{PromptTokens: 128000, Tools: true, Images: true}, nil},
		{"one token over", "gpt-4o", Request{PromptTokens: 128001}, ErrContextWindow},
		// An estimate may exceed the window by 10% (128,000 * 1.1 =
		// 140,800) before the check refuses it.
		{"estimate within slack", "gpt-4o", Request{PromptTokens: 140800, Estimated: true}, nil},
		{"estimate over slack", "gpt-4o", Request{PromptTokens: 140801, Estimated: true}, ErrContextWindow},
		// o3-mini's entry says it lacks vision; gpt-4o's does not.
		{"images to a model without vision", "o3-mini", Request{PromptTokens: 10, Images: true}, ErrUnsupported},
		{"tools to a model with tools", "o3-mini", Request{PromptTokens: 10, Tools: true}, nil},
		// Groq's llama-3.3-70b-versatile entry says it lacks JSON schema
		// responses.
		{"schema to a model without it", "groq/llama-3.3-70b-versatile", Request{PromptTokens: 10, ResponseSchema: true}, ErrUnsupported},
		// A capability the entry does not document passes.
		{"undocumented capability", "ollama/llama3", Request{PromptTokens: 10, Tools: true, Images: true}, nil},
		// A model not in the table passes: nothing to check against.
		{"unknown model", "acme/unknown", Request{PromptTokens: 1 << 30, Tools: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tt.model, tt.req)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			if tt.want == ErrUnsupported {
				assert.ErrorIs(t, err, errors.ErrUnsupported)
			} else {
				assert.NotErrorIs(t, err, errors.ErrUnsupported)
			}
		})
	}
}

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	m := ModelInfo{Name: "acme/small", MaxInputTokens: 100, Lacks: Tools | SystemMessages}
	assert.EqualError(t, m.Check(Request{PromptTokens: 101}),
		"cost: prompt of 101 tokens exceeds the 100-token context window of acme/small")
	assert.EqualError(t, m.Check(Request{PromptTokens: 200, Estimated: true}),
		"cost: prompt of about 200 tokens exceeds the 100-token context window of acme/small")
	assert.EqualError(t, m.Check(Request{Tools: true}), "cost: acme/small does not support tools")
	assert.EqualError(t, m.Check(Request{SystemMessages: true}), "cost: acme/small does not support system messages")
	assert.NoError(t, (&ModelInfo{}).Check(Request{PromptTokens: 1 << 30}), "unknown window")
}
