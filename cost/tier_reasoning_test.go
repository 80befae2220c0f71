package cost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTierOutputRateCoversReasoning checks issue 12's cost defect: a
// service level's output rate applies to reasoning tokens when the level has
// no reasoning rate of its own. Google bills thinking tokens as output
// tokens ("output price (including thinking tokens)",
// https://ai.google.dev/gemini-api/docs/pricing), and LiteLLM's rule is the
// same (litellm/litellm_core_utils/llm_cost_calc/utils.py,
// _resolve_reasoning_token_cost: a tier's reasoning key, else the tier's
// output rate when the tier has one, else the standard reasoning rate).
// The rates are the embedded table's, quoted in the comments.
func TestTierOutputRateCoversReasoning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		model string
		usage Usage
		want  Cost
	}{
		{
			// gemini/gemini-3.5-flash priority: input 2.7e-06, output
			// 1.62e-05 (standard reasoning 9e-06). 3,000 in * 2.7e-06 =
			// 0.0081; 500 text out * 1.62e-05 = 0.0081; 4,000 reasoning *
			// 1.62e-05 = 0.0648; total 0.081 (the defect billed the
			// reasoning at 9e-06: 0.0522).
			name:  "gemini 3.5 flash priority",
			model: "gemini/gemini-3.5-flash",
			usage: Usage{PromptTokens: 3000, CompletionTokens: 4500, ReasoningTokens: 4000, ServiceTier: "priority"},
			want:  Cost{Input: 0.0081, Output: 0.0081, Reasoning: 0.0648, Total: 0.081},
		},
		{
			// gemini/gemini-3-flash-preview priority: input 9e-07, output
			// 5.4e-06 (standard reasoning 3e-06). 6,000 * 9e-07 = 0.0054;
			// 2,000 * 5.4e-06 = 0.0108; 12,000 * 5.4e-06 = 0.0648; total
			// 0.081 (the defect: 0.0522).
			name:  "gemini 3 flash priority",
			model: "gemini/gemini-3-flash-preview",
			usage: Usage{PromptTokens: 6000, CompletionTokens: 14000, ReasoningTokens: 12000, ServiceTier: "priority"},
			want:  Cost{Input: 0.0054, Output: 0.0108, Reasoning: 0.0648, Total: 0.081},
		},
		{
			// vertex_ai/gemini-3.6-flash flex: input 7.5e-07, output
			// 3.75e-06 (standard reasoning 7.5e-06, twice the flex rate).
			// 2,000 * 7.5e-07 = 0.0015; 1,000 * 3.75e-06 = 0.00375;
			// 8,000 * 3.75e-06 = 0.03; total 0.03525.
			name:  "gemini 3.6 flash flex",
			model: "vertex_ai/gemini-3.6-flash",
			usage: Usage{PromptTokens: 2000, CompletionTokens: 9000, ReasoningTokens: 8000, ServiceTier: "flex"},
			want:  Cost{Input: 0.0015, Output: 0.00375, Reasoning: 0.03, Total: 0.03525},
		},
		{
			// gemini/gemini-3.1-flash-lite batch: input 1.25e-07, output
			// 7.5e-07 (standard reasoning 1.5e-06). 4,000 * 1.25e-07 =
			// 0.0005; 0 text; 2,000 * 7.5e-07 = 0.0015; total 0.002.
			name:  "gemini 3.1 flash lite batch",
			model: "gemini/gemini-3.1-flash-lite",
			usage: Usage{PromptTokens: 4000, CompletionTokens: 2000, ReasoningTokens: 2000, Batch: true},
			want:  Cost{Input: 0.0005, Reasoning: 0.0015, Total: 0.002},
		},
		{
			// The standard level keeps the standard reasoning rate:
			// gemini/gemini-3.5-flash 4,000 * 9e-06 = 0.036; 500 * 9e-06 =
			// 0.0045; 3,000 * 1.5e-06 = 0.0045.
			name:  "gemini 3.5 flash standard",
			model: "gemini/gemini-3.5-flash",
			usage: Usage{PromptTokens: 3000, CompletionTokens: 4500, ReasoningTokens: 4000},
			want:  Cost{Input: 0.0045, Output: 0.0045, Reasoning: 0.036, Total: 0.045},
		},
		{
			// A tier's own reasoning rate wins: dashscope/qwen-plus-latest
			// above 256k tokens: input 1.2e-06, output 3.6e-06, reasoning
			// 1.2e-05. 300,000 * 1.2e-06 = 0.36; 100 * 3.6e-06 = 0.00036;
			// 1,000 * 1.2e-05 = 0.012.
			name:  "tier with its own reasoning rate",
			model: "dashscope/qwen-plus-latest",
			usage: Usage{PromptTokens: 300000, CompletionTokens: 1100, ReasoningTokens: 1000},
			want:  Cost{Input: 0.36, Output: 0.00036, Reasoning: 0.012, Total: 0.37236},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Compute(tt.model, tt.usage)
			require.NoError(t, err)
			assert.True(t, got.Known, "Known")
			assertCost(t, tt.want, got)
		})
	}
}

// TestRatesForTierReasoning checks the rule on Prices written in Go: a
// tier that sets an output rate but no reasoning rate bills reasoning at
// its output rate; a tier that sets both keeps its reasoning rate; a tier
// that sets no output rate keeps the reasoning rate it replaces.
func TestRatesForTierReasoning(t *testing.T) {
	t.Parallel()
	p := Prices{
		Rates: Rates{Input: 1, Output: 10, Reasoning: 12},
		Tiers: []Tier{
			{Level: LevelPriority, Rates: Rates{Input: 2, Output: 20}},
			{Level: LevelFlex, Rates: Rates{Input: 0.5, Output: 5, Reasoning: 6}},
			{Level: LevelBatch, Rates: Rates{Input: 0.5}},
			{Above: 1000, Rates: Rates{Output: 30}},
			{Level: LevelFlex, Above: 1000, Rates: Rates{Output: 7}},
		},
	}
	tests := []struct {
		level         string
		prompt        int
		wantOutput    float64
		wantReasoning float64
	}{
		{LevelStandard, 10, 10, 12},
		{LevelPriority, 10, 20, 20},
		{LevelFlex, 10, 5, 6},
		{LevelBatch, 10, 10, 12},
		{LevelStandard, 1001, 30, 30},
		{LevelPriority, 1001, 20, 20},
		{LevelFlex, 1001, 7, 7},
	}
	for _, tt := range tests {
		r := p.RatesFor(tt.level, tt.prompt)
		assert.Equal(t, tt.wantOutput, r.Output, "level %q prompt %d: output", tt.level, tt.prompt)
		assert.Equal(t, tt.wantReasoning, or(r.Reasoning, r.Output), "level %q prompt %d: reasoning", tt.level, tt.prompt)
	}
}
