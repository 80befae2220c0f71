package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorrectedOneHourCacheWrites checks the embedded table's corrections
// of the source map (cost/internal/gen/corrections.json): Anthropic bills
// a one-hour cache write at twice the base input price
// (https://platform.claude.com/docs/en/about-claude/pricing: Haiku 3
// $0.50/MTok, Opus 3 $30/MTok, Haiku 3.5 $1.6/MTok), where the map had the
// Sonnet price, 6e-06, for all of them (LiteLLM issue #38056, fixed by
// pull request #38371).
func TestCorrectedOneHourCacheWrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model string
		want  float64 // 10,000 one-hour cache-write tokens
	}{
		{"claude-3-haiku-20240307", 10000 * 5e-07},               // was 0.06, 12x too much
		{"claude-3-opus-20240229", 10000 * 3e-05},                // was 0.06, 5x too little
		{"anthropic/claude-3-opus-latest", 10000 * 3e-05},        // retired; older snapshot
		{"anthropic/claude-3-5-haiku-20241022", 10000 * 1.6e-06}, // retired; older snapshot
		{"anthropic/claude-3-5-haiku-latest", 10000 * 1.6e-06},   // retired; older snapshot
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			t.Parallel()
			got, err := Compute(tt.model, Usage{PromptTokens: 10000, CacheWriteTokens: 10000, CacheWrite1hTokens: 10000})
			require.NoError(t, err)
			assertCost(t, Cost{CacheWrite: tt.want, Total: tt.want}, got)
			m, ok := Lookup(tt.model)
			require.True(t, ok)
			assert.Regexp(t, `\+fix$`, m.Source, "a corrected entry says so in its source")
		})
	}
}
