package cost

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acmeChatJSON is an entry with every kind of token price.
const acmeChatJSON = `{
    "litellm_provider": "acme", "mode": "chat",
    "max_input_tokens": 200000, "max_output_tokens": 8192,
    "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
    "cache_read_input_token_cost": 3e-07,
    "cache_creation_input_token_cost": 3.75e-06,
    "cache_creation_input_token_cost_above_1hr": 6e-06,
    "input_cost_per_token_above_128k_tokens": 6e-06,
    "cache_creation_input_token_cost_above_1hr_above_128k_tokens": 1.2e-05,
    "input_cost_per_token_priority": 5e-06,
    "output_cost_per_token_above_128k_tokens_priority": 4e-05,
    "input_cost_per_token_batches": 1.5e-06,
    "input_cost_per_token_flex": 1e-06,
    "output_cost_per_reasoning_token": 2e-05,
    "search_context_cost_per_query": {"search_context_size_low": 0.01, "search_context_size_medium": 0.02, "search_context_size_high": 0.03},
    "supports_vision": true, "supports_function_calling": false, "supports_reasoning": true,
    "supports_unknown_flag": true,
    "deprecation_date": "2027-01-01",
    "metadata": {"notes": "ignored"}
  }`

const fixtureJSON = `{
  "sample_spec": {"max_input_tokens": "max input tokens", "input_cost_per_token": 0.0},
  "last_updated": "2026-07-24T18:23:43+00:00",
  "acme-chat": ` + acmeChatJSON + `,
  "acme/acme-chat": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 9e-06},
  "vertex_ai/acme-claude": {"litellm_provider": "vertex_ai-anthropic_models", "mode": "chat", "input_cost_per_token": 1e-06},
  "acme-draw": {"litellm_provider": "acme", "mode": "image_generation", "input_cost_per_image": 0.04},
  "hd/1024-x-1792/acme-draw": {"litellm_provider": "acme", "mode": "image_generation", "input_cost_per_pixel": 5e-08, "output_cost_per_pixel": 0.0},
  "acme/low/1024-x-1024/acme-draw": {"litellm_provider": "acme", "mode": "image_generation", "input_cost_per_image": 0.011},
  "acme-embed": {"litellm_provider": "acme", "mode": "embedding", "max_tokens": 8191, "input_cost_per_token": 1e-07, "output_cost_per_token": 0.0},
  "acme-local": {"litellm_provider": "acme", "mode": "chat", "max_tokens": 4096, "input_cost_per_token": 0, "output_cost_per_token": 0},
  "acme-listen": {"litellm_provider": "acme", "mode": "audio_transcription", "input_cost_per_second": 0.0001, "output_cost_per_second": 0.0001},
  "acme-provisioned": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_second": 0.01},
  "acme-video": {"litellm_provider": "acme", "mode": "video_generation", "output_cost_per_second": 0.5},
  "acme-tiered": {"litellm_provider": "acme", "mode": "chat", "tiered_pricing": [
     {"input_cost_per_token": 1e-07, "output_cost_per_token": 1e-06, "range": [0, 32000]},
     {"input_cost_per_token": 2e-07, "output_cost_per_token": 2e-06, "range": [32000, 128000]}]},
  "acme-hit": {"litellm_provider": "acme", "mode": "chat", "input_cost_per_token": 2e-07, "input_cost_per_token_cache_hit": 2e-08}
}`

func parseFixture(t *testing.T) map[string]ModelInfo {
	t.Helper()
	models, err := ParseJSON(strings.NewReader(fixtureJSON))
	require.NoError(t, err)
	out := map[string]ModelInfo{}
	for _, m := range models {
		out[m.Name] = m
	}
	return out
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	models := parseFixture(t)

	chat := models["acme/acme-chat"]
	// Two keys spell acme/acme-chat: the key spelt exactly so wins, the
	// other becomes its alias.
	assert.Equal(t, 9e-06, chat.Prices.Input, "the exactly spelt key wins")
	assert.Equal(t, []string{"acme-chat"}, chat.Aliases)

	_, hasVariantModel := models["acme/hd/1024-x-1792/acme-draw"]
	assert.False(t, hasVariantModel, "image price keys are not models")

	claude := models["vertex_ai/acme-claude"]
	assert.Equal(t, "vertex_ai", claude.Provider, "vertex_ai-anthropic_models is vertex_ai")
	assert.Empty(t, claude.Aliases)

	draw := models["acme/acme-draw"]
	assert.Equal(t, 0.04, draw.Prices.PerImage)
	assert.Equal(t, []ImagePrice{
		{Quality: "hd", Size: "1024x1792", Price: 5e-08 * 1024 * 1792},
		{Quality: "low", Size: "1024x1024", Price: 0.011},
	}, draw.Prices.ImageVariants)
	assert.True(t, draw.Prices.Units.Has(UnitImage))

	embed := models["acme/acme-embed"]
	assert.Zero(t, embed.MaxOutputTokens, "max_tokens is not an embedding model's output limit")
	assert.Equal(t, 4096, models["acme/acme-local"].MaxOutputTokens, "max_tokens is a chat model's output limit")
	assert.Equal(t, UnitToken, models["acme/acme-local"].Prices.Units, "explicit zero prices are priced")

	assert.Equal(t, 0.0001, models["acme/acme-listen"].Prices.PerAudioSecond)
	assert.Zero(t, models["acme/acme-provisioned"].Prices.PerAudioSecond, "chat input seconds are not audio")
	assert.Zero(t, models["acme/acme-provisioned"].Prices.Units)
	assert.Equal(t, 0.5, models["acme/acme-video"].Prices.PerVideoSecond)

	tiered := models["acme/acme-tiered"].Prices
	assert.Equal(t, Rates{Input: 1e-07, Output: 1e-06}, tiered.Rates)
	assert.Equal(t, []Tier{{Above: 32000, Rates: Rates{Input: 2e-07, Output: 2e-06}}}, tiered.Tiers)

	assert.Equal(t, 2e-08, models["acme/acme-hit"].Prices.CacheRead, "input_cost_per_token_cache_hit is a cache read")
}

func TestParseJSONRatesAndTiers(t *testing.T) {
	t.Parallel()
	src := `{"acme-chat": ` + acmeChatJSON + `}`
	models, err := ParseJSON(strings.NewReader(src))
	require.NoError(t, err)
	require.Len(t, models, 1)
	m := models[0]
	assert.Equal(t, "acme/acme-chat", m.Name)
	assert.Equal(t, ModeChat, m.Mode)
	assert.Equal(t, 200000, m.MaxInputTokens)
	assert.Equal(t, 8192, m.MaxOutputTokens)
	assert.Equal(t, Vision|Reasoning, m.Supports)
	assert.Equal(t, Tools, m.Lacks)
	assert.Equal(t, "2027-01-01", m.DeprecationDate)
	assert.Equal(t, Rates{Input: 3e-06, Output: 1.5e-05, CacheRead: 3e-07, CacheWrite: 3.75e-06, CacheWrite1h: 6e-06, Reasoning: 2e-05}, m.Prices.Rates)
	assert.Equal(t, []Tier{
		{Above: 128000, Rates: Rates{Input: 6e-06, CacheWrite1h: 1.2e-05}},
		{Level: LevelBatch, Rates: Rates{Input: 1.5e-06}},
		{Level: LevelFlex, Rates: Rates{Input: 1e-06}},
		{Level: LevelPriority, Rates: Rates{Input: 5e-06}},
		{Level: LevelPriority, Above: 128000, Rates: Rates{Output: 4e-05}},
	}, m.Prices.Tiers)
	assert.Equal(t, SearchPrices{Low: 0.01, Medium: 0.02, High: 0.03}, m.Prices.WebSearch)
	assert.Equal(t, UnitToken|UnitWebSearch, m.Prices.Units)
}

func TestParseJSONErrors(t *testing.T) {
	t.Parallel()
	for name, src := range map[string]string{
		"not json":         `{`,
		"not an object":    `[1, 2]`,
		"string price":     `{"m": {"input_cost_per_token": "1e-6"}}`,
		"negative price":   `{"m": {"input_cost_per_token": -1}}`,
		"huge price":       `{"m": {"input_cost_per_token": 1e999}}`,
		"bool limit":       `{"m": {"max_input_tokens": true}}`,
		"number flag":      `{"m": {"supports_vision": 1}}`,
		"number mode":      `{"m": {"mode": 3}}`,
		"bad search price": `{"m": {"search_context_cost_per_query": {"search_context_size_low": "x"}}}`,
		"bad tier range":   `{"m": {"tiered_pricing": [{"input_cost_per_token": 1, "range": "x"}]}}`,
	} {
		_, err := ParseJSON(strings.NewReader(src))
		assert.Error(t, err, name)
	}
	// Non-object values are not models, and nulls are absent fields.
	models, err := ParseJSON(strings.NewReader(`{"note": "x", "m": {"litellm_provider": "p", "input_cost_per_token": null}}`))
	require.NoError(t, err)
	require.Len(t, models, 1)
	assert.Zero(t, models[0].Prices.Units)
}

func TestWithJSONMerges(t *testing.T) {
	t.Parallel()
	base := Embedded()
	before, ok := base.Lookup("gpt-4o")
	require.True(t, ok)

	// A partial entry replaces the prices as a whole and keeps the rest.
	t2, err := base.WithJSON(strings.NewReader(`{"gpt-4o": {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}}`))
	require.NoError(t, err)
	after, ok := t2.Lookup("openai/gpt-4o")
	require.True(t, ok)
	assert.Equal(t, Rates{Input: 1e-06, Output: 4e-06}, after.Prices.Rates)
	assert.Empty(t, after.Prices.Tiers, "old tiers do not mix with the new prices")
	assert.Equal(t, before.MaxInputTokens, after.MaxInputTokens)
	assert.Equal(t, before.Supports, after.Supports)
	assert.Equal(t, before.Aliases, after.Aliases)
	assert.Empty(t, after.Source, "changed at run time")

	// Capabilities and limits alone leave the prices.
	t3, err := base.WithJSON(strings.NewReader(`{"openai/gpt-4o": {"max_input_tokens": 1000, "supports_vision": false}}`))
	require.NoError(t, err)
	m, _ := t3.Lookup("gpt-4o")
	assert.Equal(t, before.Prices.Rates, m.Prices.Rates)
	assert.Equal(t, 1000, m.MaxInputTokens)
	assert.True(t, m.Lacks.Has(Vision))
	assert.False(t, m.Supports.Has(Vision))
	assert.True(t, m.Supports.Has(Tools))

	// Image variants merge into the model they price.
	t4, err := base.WithJSON(strings.NewReader(`{"hd/4096-x-4096/dall-e-3": {"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_image": 0.5}}`))
	require.NoError(t, err)
	c, err := t4.Compute("dall-e-3", Usage{Images: 1, ImageSize: "4096x4096", ImageQuality: "hd"})
	require.NoError(t, err)
	assert.Equal(t, 0.5, c.Total)
	c, err = t4.Compute("dall-e-3", Usage{Images: 1})
	require.NoError(t, err)
	assert.Equal(t, 0.04, c.Total, "the flat price stays")

	// New models are added under their canonical names.
	t5, err := base.WithJSON(strings.NewReader(`{"my-deploy": {"litellm_provider": "azure", "mode": "chat", "input_cost_per_token": 1e-06}}`))
	require.NoError(t, err)
	m, ok = t5.Lookup("my-deploy")
	require.True(t, ok)
	assert.Equal(t, "azure/my-deploy", m.Name)
	assert.Equal(t, base.Len()+1, t5.Len())
}

func TestLoadJSONErrorKeepsDefault(t *testing.T) {
	// Not parallel: it changes the default table.
	t.Cleanup(func() { SetDefault(nil) })
	err := LoadJSON(strings.NewReader(`{"gpt-4o": {"input_cost_per_token": "free"}}`))
	require.Error(t, err)
	assert.Same(t, Embedded(), Default())

	require.NoError(t, LoadJSON(strings.NewReader(`{"acme/new-model": {"litellm_provider": "acme", "input_cost_per_token": 1}}`)))
	c, err := Compute("acme/new-model", Usage{PromptTokens: 2})
	require.NoError(t, err)
	assert.Equal(t, 2.0, c.Total)
}

// FuzzLoadJSON feeds arbitrary bytes to the JSON reader: it must return a
// table or an error, never panic, and a table it returns must be usable.
func FuzzLoadJSON(f *testing.F) {
	f.Add([]byte(fixtureJSON))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"a": {"tiered_pricing": [{"range": [0, 1e9], "input_cost_per_token": 1}]}}`))
	f.Add([]byte(`{"hd/1-x-1/a": {"mode": "image_generation", "input_cost_per_pixel": 1}}`))
	f.Add([]byte(`{"x/y": {"litellm_provider": "x", "input_cost_per_token_above_99999999999k_tokens": 1}}`))
	f.Add([]byte(`{"a": {"search_context_cost_per_query": {"search_context_size_low": 1}}, "b": null}`))
	f.Add([]byte(`{"a": {"output_cost_per_token": 1, "output_cost_per_video_token": 2, "output_cost_per_video_token_flex": 3}}`))
	base := NewTable([]ModelInfo{{Name: "x/y", Aliases: []string{"y"}, Prices: Prices{Rates: Rates{Input: 1}}}})
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := base.WithJSON(bytes.NewReader(data))
		if err != nil {
			return
		}
		for m := range tb.Models() {
			for _, name := range append([]string{m.Name}, m.Aliases...) {
				if _, ok := tb.Lookup(name); !ok {
					t.Fatalf("entry %q: name %q does not resolve", m.Name, name)
				}
			}
			c, err := tb.Compute(m.Name, Usage{PromptTokens: 300000, CompletionTokens: 10, VideoOutputTokens: 5, Images: 1, ImageSize: "1x1"})
			if err == nil && !c.Known {
				t.Fatalf("%q: nil error with an unknown cost", m.Name)
			}
		}
		// What the JSON reader accepts, the table format must write and
		// read back.
		var buf bytes.Buffer
		if _, err := tb.WriteTo(&buf); err != nil {
			return // names the format cannot hold (tabs, newlines) are refused
		}
		if _, err := ReadTable(&buf); err != nil {
			t.Fatalf("ReadTable of a written table: %v", err)
		}
	})
}
