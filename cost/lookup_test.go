package cost

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookupEmbedded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model string
		want  string // entry name; "" for unknown
	}{
		// Rule 1: canonical names and the source's spellings.
		{"openai/gpt-4o", "openai/gpt-4o"},
		{"gpt-4o", "openai/gpt-4o"},
		{"GPT-4o", "openai/gpt-4o"},
		{"anthropic/claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-20250514"},
		{"claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-20250514"},
		{"gemini/gemini-2.5-pro", "gemini/gemini-2.5-pro"},
		{"vertex_ai/gemini-2.5-pro", "vertex_ai/gemini-2.5-pro"},
		{"gemini-2.5-pro", "vertex_ai/gemini-2.5-pro"},
		{"openrouter/anthropic/claude-3.5-sonnet", "openrouter/anthropic/claude-3.5-sonnet"},
		{"bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
		{"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
		{"vertex_ai/claude-sonnet-4-5", "vertex_ai/claude-sonnet-4-5"},
		{"deepseek-chat", "deepseek/deepseek-chat"},
		{"gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini-2024-07-18"},
		// Models only the older snapshot has.
		{"claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet-20241022"},
		{"gpt-4-32k", "openai/gpt-4-32k"},
		// Rule 2: provider names as the source data spells them.
		{"vertex_ai-language-models/gemini-2.5-pro", "vertex_ai/gemini-2.5-pro"},
		{"bedrock_converse/anthropic.claude-opus-4-7", "bedrock/anthropic.claude-opus-4-7"},
		// Rule 3: a Bedrock geography prefix, only when the table lacks
		// the prefixed id.
		{"bedrock/apac.anthropic.claude-3-opus-20240229-v1:0", "bedrock/anthropic.claude-3-opus-20240229-v1:0"},
		{"apac.anthropic.claude-3-opus-20240229-v1:0", "bedrock/anthropic.claude-3-opus-20240229-v1:0"},
		{"bedrock/eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "bedrock/eu.anthropic.claude-3-7-sonnet-20250219-v1:0"},
		// Rule 4: snapshots of a family whose members cost the same.
		{"claude-opus-4-1-20990101", "anthropic/claude-opus-4-1"},
		{"anthropic/claude-opus-4-1-20990101", "anthropic/claude-opus-4-1"},
		{"anthropic/claude-opus-4-1-latest", "anthropic/claude-opus-4-1"},
		// ...but not when the family's members differ in price: gpt-4o's
		// snapshots cost 2.5e-06 and 5e-06 per input token.
		{"gpt-4o-2099-01-01", ""},
		{"openai/gpt-4o-2099-01-01", ""},
		// Rule 5: a bare name that one provider alone has.
		{"gemini-2.5-flash-native-audio-latest", "gemini/gemini-2.5-flash-native-audio-latest"},
		// Unknown.
		{"no-such-model", ""},
		{"openai/no-such-model", ""},
		{"", ""},
		{"/", ""},
		// A rule never crosses providers: Groq does not serve gpt-4o.
		{"groq/gpt-4o", ""},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			t.Parallel()
			got, ok := Lookup(tt.model)
			assert.Equal(t, tt.want != "", ok, "found")
			assert.Equal(t, tt.want, got.Name)
		})
	}
}

func TestLookupInfo(t *testing.T) {
	t.Parallel()
	m, err := Info("gpt-4o")
	require.NoError(t, err)
	assert.Equal(t, "openai", m.Provider)
	assert.Equal(t, "gpt-4o", m.ModelID())
	assert.Equal(t, ModeChat, m.Mode)
	assert.Equal(t, 128000, m.MaxInputTokens)
	assert.Equal(t, 16384, m.MaxOutputTokens)
	for _, c := range []Capability{Vision, Tools, ParallelTools, ToolChoice, ResponseSchema, PromptCaching, PDFInput, SystemMessages} {
		assert.True(t, m.Supports.Has(c), "supports %s", c)
	}
	assert.False(t, m.Supports.Has(Reasoning))
	assert.Equal(t, "litellm", m.Source)
	assert.Equal(t, 2.5e-06, m.Prices.Input)

	o3, err := Info("o3")
	require.NoError(t, err)
	assert.True(t, o3.Supports.Has(Reasoning))
	assert.True(t, o3.Lacks.Has(ParallelTools), "o3's entry says it lacks parallel tool calls")

	_, err = Info("acme/none")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnknownModel)
	assert.Contains(t, err.Error(), `"acme/none"`)
}

func TestProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model, want string
	}{
		{"gpt-4o", "openai"},
		{"claude-sonnet-4-20250514", "anthropic"},
		{"gemini-2.5-pro", "vertex_ai"},
		{"us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock"},
		{"anthropic/claude-not-yet-released", "anthropic"},
		{"vertex_ai-anthropic_models/claude-x", "vertex_ai"},
		{"magistral-medium-2506", "mistral"},
		{"mistral-large-2411", ""}, // mistral and vertex_ai both serve it
		{"meta-llama/no-such-model", ""},
		{"no-such-model", ""},
	}
	for _, tt := range tests {
		got, ok := Provider(tt.model)
		assert.Equal(t, tt.want != "", ok, tt.model)
		assert.Equal(t, tt.want, got, tt.model)
	}
}

func TestStripVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"claude-sonnet-4-20250514", "claude-sonnet-4", true},
		{"gpt-4o-2024-08-06", "gpt-4o", true},
		{"claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet-v2", true},
		{"gpt-4-0613", "gpt-4", true},
		{"mistral-large-2411", "mistral-large", true},
		{"gemini-2.5-flash-preview-09-2025", "gemini-2.5-flash-preview", true},
		{"gemini-2.0-flash-001", "gemini-2.0-flash", true},
		{"text-bison@001", "text-bison", true},
		{"claude-3-7-sonnet-latest", "claude-3-7-sonnet", true},
		{"codechat-bison@latest", "codechat-bison", true},
		{"llama3-70b-8192", "llama3-70b-8192", false}, // a context size, not a date
		{"gpt-4o", "gpt-4o", false},
		{"o3", "o3", false},
		{"model-20251399", "model-20251399", false}, // month 13
		{"-latest", "-latest", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := stripVersion(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
	}
}

func TestStripGeo(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "anthropic.claude-3-haiku", stripGeo("us.anthropic.claude-3-haiku"))
	assert.Equal(t, "anthropic.claude-3-haiku", stripGeo("us-gov.anthropic.claude-3-haiku"))
	assert.Equal(t, "anthropic.claude-3-haiku", stripGeo("global.anthropic.claude-3-haiku"))
	assert.Equal(t, "us.model", stripGeo("us.model"), "no vendor after the prefix")
	assert.Equal(t, "gpt-4o", stripGeo("gpt-4o"))
}

func TestSplitVariant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, base, quality, size string
		ok                       bool
	}{
		{"hd/1024-x-1792/dall-e-3", "dall-e-3", "hd", "1024x1792", true},
		{"azure/low/1024-x-1536/gpt-image-1", "azure/gpt-image-1", "low", "1024x1536", true},
		{"1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0", "bedrock/amazon.nova-canvas-v1:0", "50-steps", "1024x1024", true},
		{"max-x-max/max-steps/stability.stable-diffusion-xl-v0", "stability.stable-diffusion-xl-v0", "max-steps", "max", true},
		{"dall-e-3", "dall-e-3", "", "", false},
		{"high/dall-e-3", "high/dall-e-3", "", "", false}, // no size
	}
	for _, tt := range tests {
		base, q, s, ok := splitVariant(tt.key)
		assert.Equal(t, tt.ok, ok, tt.key)
		assert.Equal(t, tt.base, base, tt.key)
		if tt.ok {
			assert.Equal(t, tt.quality, q, tt.key)
			assert.Equal(t, tt.size, s, tt.key)
		}
	}
}

func TestFamilyNeedsEqualPrices(t *testing.T) {
	t.Parallel()
	same := Prices{Rates: Rates{Input: 1}}
	tb := NewTable([]ModelInfo{
		{Name: "acme/m-1", Prices: same},
		{Name: "acme/m-1-20250101", Prices: same},
		{Name: "acme/m-2-20250101", Prices: same},
		{Name: "acme/m-2-20250601", Prices: Prices{Rates: Rates{Input: 2}}},
		{Name: "acme/m-3-20250101", Prices: same},
	})
	for model, want := range map[string]string{
		"acme/m-1-20990101": "acme/m-1",          // two members, one price: the undated one
		"acme/m-2-20990101": "",                  // two prices: ambiguous
		"acme/m-2":          "",                  // undated name of an ambiguous family
		"acme/m-3":          "acme/m-3-20250101", // one dated member
		"acme/m-3-latest":   "acme/m-3-20250101",
		"m-1-20990101":      "",                  // no bare spelling of the family
		"m-3-20250101":      "acme/m-3-20250101", // bare name one provider has
	} {
		got, ok := tb.Lookup(model)
		assert.Equal(t, want != "", ok, model)
		assert.Equal(t, want, got.Name, model)
	}
}

func TestBareNameAmbiguous(t *testing.T) {
	t.Parallel()
	tb := NewTable([]ModelInfo{
		{Name: "groq/llama-x"},
		{Name: "together_ai/llama-x"},
		{Name: "groq/only-here"},
	})
	_, ok := tb.Lookup("llama-x")
	assert.False(t, ok, "two providers serve llama-x")
	m, ok := tb.Lookup("only-here")
	assert.True(t, ok)
	assert.Equal(t, "groq", m.Provider)
}

func TestTableWith(t *testing.T) {
	t.Parallel()
	base := NewTable([]ModelInfo{
		{Name: "acme/chat-1", Aliases: []string{"chat-1"}, MaxInputTokens: 100, Prices: Prices{Rates: Rates{Input: 1}}},
	})
	// Replacing through an alias keeps the entry's name and aliases.
	t2 := base.With(ModelInfo{Name: "CHAT-1", Prices: Prices{Rates: Rates{Input: 2}}})
	m, ok := t2.Lookup("acme/chat-1")
	require.True(t, ok)
	assert.Equal(t, "acme/chat-1", m.Name)
	assert.Equal(t, []string{"chat-1"}, m.Aliases)
	assert.Equal(t, 2.0, m.Prices.Input)
	assert.Zero(t, m.MaxInputTokens, "a Go value replaces the whole entry")
	assert.Equal(t, "acme", m.Provider)

	// The original is unchanged.
	m, _ = base.Lookup("chat-1")
	assert.Equal(t, 1.0, m.Prices.Input)

	// A new name adds an entry, with its provider taken from the name.
	t3 := base.With(ModelInfo{Name: "mycorp/llama-local", Prices: Prices{Units: UnitToken}})
	assert.Equal(t, 2, t3.Len())
	c, err := t3.Compute("mycorp/llama-local", Usage{PromptTokens: 10})
	require.NoError(t, err)
	assert.True(t, c.Known)
	p, ok := t3.Provider("mycorp/anything")
	assert.True(t, ok)
	assert.Equal(t, "mycorp", p)
}

// TestRegisterConcurrent registers entries while other goroutines look
// models up; run with -race. It restores the default table at the end.
func TestRegisterConcurrent(t *testing.T) {
	// Not parallel: it changes the default table.
	t.Cleanup(func() { SetDefault(nil) })
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := Compute("gpt-4o", Usage{PromptTokens: 1000})
				if err != nil || !c.Known || c.Total != 0.0025 {
					t.Errorf("Compute(gpt-4o) = %v, %v during Register", c, err)
					return
				}
			}
		})
	}
	for i := range 20 {
		Register(fmt.Sprintf("test/model-%d", i), ModelInfo{Prices: Prices{Rates: Rates{Input: float64(i + 1)}}})
	}
	close(stop)
	wg.Wait()
	for i := range 20 {
		c, err := Compute(fmt.Sprintf("test/model-%d", i), Usage{PromptTokens: 1})
		require.NoError(t, err)
		assert.Equal(t, float64(i+1), c.Total)
	}
	// Replacing an embedded entry through its bare alias changes every
	// spelling.
	Register("gpt-4o", ModelInfo{Prices: Prices{Rates: Rates{Input: 1e-6, Output: 2e-6}}})
	for _, name := range []string{"gpt-4o", "openai/gpt-4o", "OpenAI/GPT-4o"} {
		c, err := Compute(name, Usage{PromptTokens: 1000})
		require.NoError(t, err)
		assert.InDelta(t, 0.001, c.Total, delta, name)
		assert.Equal(t, "openai/gpt-4o", c.Model)
	}
	SetDefault(nil)
	c, err := Compute("gpt-4o", Usage{PromptTokens: 1000})
	require.NoError(t, err)
	assert.InDelta(t, 0.0025, c.Total, delta, "SetDefault(nil) restores the embedded table")
}

func TestTableString(t *testing.T) {
	t.Parallel()
	assert.True(t, strings.HasPrefix(Embedded().String(), "cost.Table("))
	assert.Greater(t, Embedded().Len(), 2500)
	srcs := Embedded().Sources()
	require.NotEmpty(t, srcs)
	assert.Equal(t, "litellm", srcs[0].ID)
	assert.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, srcs[0].Date)
	n, fixed := 0, 0
	for m := range Embedded().Models() {
		if strings.TrimSuffix(m.Source, "+fix") == "litellm" {
			n++
		}
		if strings.HasSuffix(m.Source, "+fix") {
			fixed++
		}
	}
	assert.Equal(t, srcs[0].Models, n, "Sources counts the entries of each source")
	fix := srcs[len(srcs)-1]
	assert.Equal(t, "fix", fix.ID, "the corrections are the last source")
	assert.Equal(t, fix.Models, fixed, "the corrections count the entries they changed")
}

func TestErrorsAreDistinct(t *testing.T) {
	t.Parallel()
	assert.False(t, errors.Is(ErrUnknownPrice, ErrUnknownModel))
	assert.False(t, errors.Is(ErrContextWindow, ErrUnsupported))
}
