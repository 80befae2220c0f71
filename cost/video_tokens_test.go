package cost

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVideoOutputTokens checks issue 12's cost defect: video output tokens
// are priced at their own rate (the source's output_cost_per_video_token),
// never at the text rate, and a model with no such rate gives an unknown
// cost instead of a wrong known one.
func TestVideoOutputTokens(t *testing.T) {
	t.Parallel()

	t.Run("own rate", func(t *testing.T) {
		t.Parallel()
		// gemini/gemini-omni-flash-preview: input 1.5e-06, output 9e-06,
		// output_cost_per_video_token 1.75e-05
		// (https://ai.google.dev/gemini-api/docs/pricing, the source's
		// "source" field). 1,000 in * 1.5e-06 = 0.0015; 200 text out *
		// 9e-06 = 0.0018; 10,000 video out * 1.75e-05 = 0.175; total
		// 0.1783 (the text rate gave 0.0933).
		got, err := Compute("gemini/gemini-omni-flash-preview", Usage{
			PromptTokens: 1000, CompletionTokens: 10200, VideoOutputTokens: 10000,
		})
		require.NoError(t, err)
		assert.True(t, got.Known)
		assertCost(t, Cost{Input: 0.0015, Output: 0.0018, Video: 0.175, Total: 0.1783}, got)
	})

	t.Run("litellm's case", func(t *testing.T) {
		t.Parallel()
		// LiteLLM's own test of the same model and rule
		// (tests/test_litellm/litellm_core_utils/llm_cost_calc/
		// test_llm_cost_calc_utils.py,
		// test_video_output_tokens_gemini_omni_flash_preview): 20 in, 100
		// text out, 46,336 video out. 20 * 1.5e-06 = 3e-05; 100 * 9e-06 =
		// 9e-04; 46,336 * 1.75e-05 = 0.81088. (Where a model has no video
		// rate LiteLLM falls back to the text rate; llmux reports the cost
		// unknown, below.)
		got, err := Compute("gemini/gemini-omni-flash-preview", Usage{
			PromptTokens: 20, CompletionTokens: 46436, VideoOutputTokens: 46336,
		})
		require.NoError(t, err)
		assertCost(t, Cost{Input: 3e-05, Output: 9e-04, Video: 0.81088, Total: 0.81181}, got)
	})

	t.Run("vertex own rate", func(t *testing.T) {
		t.Parallel()
		got, err := Compute("vertex_ai/gemini-omni-flash-preview", Usage{CompletionTokens: 1000, VideoOutputTokens: 1000})
		require.NoError(t, err)
		assertCost(t, Cost{Video: 0.0175, Total: 0.0175}, got)
	})

	t.Run("no rate is unknown", func(t *testing.T) {
		t.Parallel()
		// gemini/gemini-3.5-flash has no video output rate: the text is
		// priced (a lower bound), the video is not, and the cost says so.
		got, err := Compute("gemini/gemini-3.5-flash", Usage{
			PromptTokens: 1000, CompletionTokens: 1200, VideoOutputTokens: 1000,
		})
		require.ErrorIs(t, err, ErrUnknownPrice)
		assert.False(t, got.Known)
		assert.Contains(t, got.Reason, "video_token")
		// 1,000 * 1.5e-06 = 0.0015; 200 * 9e-06 = 0.0018.
		assertCost(t, Cost{Input: 0.0015, Output: 0.0018, Total: 0.0033}, got)
	})

	t.Run("declared free", func(t *testing.T) {
		t.Parallel()
		p := Prices{Rates: Rates{Input: 1, Output: 2}, Units: UnitToken | UnitVideoToken}
		got, err := p.Cost(Usage{CompletionTokens: 3, VideoOutputTokens: 2})
		require.NoError(t, err)
		assertCost(t, Cost{Output: 2, Total: 2}, got)
	})

	t.Run("go literal", func(t *testing.T) {
		t.Parallel()
		p := Prices{Rates: Rates{Output: 2, VideoOutput: 5}}
		assert.True(t, p.PricedUnits().Has(UnitVideoToken))
		got, err := p.Cost(Usage{CompletionTokens: 3, VideoOutputTokens: 2})
		require.NoError(t, err)
		assertCost(t, Cost{Output: 2, Video: 10, Total: 12}, got)
	})

	t.Run("parse and round trip", func(t *testing.T) {
		t.Parallel()
		models, err := ParseJSON(strings.NewReader(`{"m": {"litellm_provider": "gemini", "mode": "chat",
			"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06, "output_cost_per_video_token": 3e-06,
			"output_cost_per_video_token_priority": 6e-06}}`))
		require.NoError(t, err)
		require.Len(t, models, 1)
		p := models[0].Prices
		assert.Equal(t, 3e-06, p.VideoOutput)
		assert.Equal(t, 6e-06, p.RatesFor(LevelPriority, 0).VideoOutput)
		assert.True(t, p.Units.Has(UnitToken|UnitVideoToken))

		var b strings.Builder
		_, err = NewTable(models).WriteTo(&b)
		require.NoError(t, err)
		assert.Contains(t, b.String(), "\tvo=3e-06")
		assert.Contains(t, b.String(), "\tp.vo=6e-06")
		back, err := ReadTable(strings.NewReader(b.String()))
		require.NoError(t, err)
		m, ok := back.Lookup("gemini/m")
		require.True(t, ok)
		assert.Equal(t, models[0].Prices, m.Prices)
	})
}
