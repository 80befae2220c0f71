package anthropic_test

import (
	"testing"

	"github.com/llmux/llm/cost"
	"github.com/llmux/llm/provider/anthropic"
	"github.com/stretchr/testify/assert"
)

func TestDefaultMaxTokensFromModelTable(t *testing.T) {
	// The model table answers first; the family table is the fallback.
	cost.Register("anthropic/claude-sonnet-9-test", cost.ModelInfo{Provider: "anthropic", MaxOutputTokens: 12345})
	assert.Equal(t, 12345, anthropic.DefaultMaxTokens("claude-sonnet-9-test"))
	info, ok := cost.Lookup("anthropic/claude-3-5-haiku-20241022")
	if assert.True(t, ok) {
		assert.Equal(t, info.MaxOutputTokens, anthropic.DefaultMaxTokens("claude-3-5-haiku-20241022"))
	}
	assert.Equal(t, 4096, anthropic.DefaultMaxTokens("claude-unknown-family"))
}
