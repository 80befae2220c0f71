package cost

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestCountTextReference checks counts against tiktoken's reference
// outputs, as printed in OpenAI's cookbook "How to count tokens with
// tiktoken".
func TestCountTextReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text          string
		o200k, cl100k int
	}{
		{"hello world", 2, 2},
		{"tiktoken is great!", 6, 6},
		{"antidisestablishmentarianism", 6, 6},
		{"2 + 2 = 4", 7, 7},
		{"お誕生日おめでとう", 8, 9},
		{"", 0, 0},
	}
	for _, tt := range tests {
		got := CountText("gpt-4o", tt.text)
		assert.Equal(t, TokenCount{Tokens: tt.o200k, Encoding: "o200k_base"}, got, "gpt-4o %q", tt.text)
		got = CountText("gpt-4", tt.text)
		assert.Equal(t, TokenCount{Tokens: tt.cl100k, Encoding: "cl100k_base"}, got, "gpt-4 %q", tt.text)
	}
}

func TestCountTextEncodingPerModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model, encoding string
		estimated       bool
	}{
		{"gpt-4o", "o200k_base", false},
		{"openai/gpt-4o-mini-2024-07-18", "o200k_base", false},
		{"azure/gpt-4.1", "o200k_base", false},
		{"o3", "o200k_base", false},
		{"gpt-5", "o200k_base", false},
		{"ft:gpt-4o-2024-08-06:acme::abc", "o200k_base", false},
		{"gpt-4", "cl100k_base", false},
		{"gpt-4-turbo", "cl100k_base", false},
		{"gpt-3.5-turbo", "cl100k_base", false},
		{"text-embedding-3-small", "cl100k_base", false},
		{"claude-sonnet-4-20250514", "o200k_base", true},
		{"gemini/gemini-2.5-pro", "o200k_base", true},
		{"openrouter/openai/gpt-4o", "o200k_base", true},
		{"no-such-model", "o200k_base", true},
	}
	for _, tt := range tests {
		got := CountText(tt.model, "hello world")
		assert.Equal(t, tt.encoding, got.Encoding, tt.model)
		assert.Equal(t, tt.estimated, got.Estimated, tt.model)
		assert.Equal(t, 2, got.Tokens, tt.model)
	}
}

// cookbookMessages are the cookbook's example messages; the OpenAI API
// counted 129 prompt tokens for them on gpt-3.5-turbo and gpt-4, 124 on
// gpt-4o and gpt-4o-mini.
var cookbookMessages = []Message{
	{Role: "system", Text: []string{"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."}},
	{Role: "system", Name: "example_user", Text: []string{"New synergies will help drive top-line growth."}},
	{Role: "system", Name: "example_assistant", Text: []string{"Things working well together will increase revenue."}},
	{Role: "system", Name: "example_user", Text: []string{"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."}},
	{Role: "system", Name: "example_assistant", Text: []string{"Let's talk later when we're less busy about how to do better."}},
	{Role: "user", Text: []string{"This late pivot means we don't have time to boil the ocean for the client deliverable."}},
}

// cookbookTools and cookbookToolMessages are the cookbook's tool example;
// the API counted 105 prompt tokens on gpt-3.5-turbo and gpt-4, 101 on
// gpt-4o and gpt-4o-mini.
var (
	cookbookTools = []Tool{{
		Name:        "get_current_weather",
		Description: "Get the current weather in a given location",
		Parameters: []byte(`{"type": "object", "properties": {
			"location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
			"unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}},
			"required": ["location"]}`),
	}}
	cookbookToolMessages = []Message{
		{Role: "system", Text: []string{"You are a helpful assistant that can answer to questions about the weather."}},
		{Role: "user", Text: []string{"What's the weather like in San Francisco?"}},
	}
)

func TestCountMessagesCookbook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model          string
		messages, tool int
	}{
		{"gpt-3.5-turbo", 129, 105},
		{"gpt-4-0613", 129, 105},
		{"gpt-4", 129, 105},
		{"gpt-4o", 124, 101},
		{"gpt-4o-mini", 124, 101},
	}
	for _, tt := range tests {
		got := CountMessages(tt.model, cookbookMessages, nil)
		assert.Equal(t, tt.messages, got.Tokens, "%s messages", tt.model)
		assert.False(t, got.Estimated, "%s messages", tt.model)
		got = CountMessages(tt.model, cookbookToolMessages, cookbookTools)
		assert.Equal(t, tt.tool, got.Tokens, "%s tools", tt.model)
		assert.False(t, got.Estimated, "%s tools", tt.model)
	}
}

func TestCountMessagesEstimates(t *testing.T) {
	t.Parallel()
	// Same count as gpt-4o, marked as an estimate.
	got := CountMessages("claude-sonnet-4-20250514", cookbookMessages, nil)
	assert.Equal(t, TokenCount{Tokens: 124, Estimated: true, Encoding: "o200k_base"}, got)
	// OpenAI families the cookbook did not check.
	assert.True(t, CountMessages("gpt-4.1", cookbookMessages, nil).Estimated)
	assert.True(t, CountMessages("o3", cookbookMessages, nil).Estimated)

	// Tool calls in the history are estimates.
	withCall := append([]Message{}, cookbookToolMessages...)
	withCall = append(withCall,
		Message{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_1", Name: "get_current_weather", Arguments: `{"location":"San Francisco, CA"}`}}},
		Message{Role: "tool", ToolCallID: "call_1", Text: []string{`{"temperature": 18}`}},
	)
	got = CountMessages("gpt-4o", withCall, cookbookTools)
	assert.True(t, got.Estimated)
	assert.Greater(t, got.Tokens, 101)

	// Nested parameter schemas are estimates.
	nested := []Tool{{Name: "f", Description: "d", Parameters: []byte(`{"properties": {"p": {"type": "object", "properties": {"q": {"type": "string"}}}}}`)}}
	assert.True(t, CountMessages("gpt-4o", cookbookToolMessages, nested).Estimated)
	bad := []Tool{{Name: "f", Parameters: []byte(`{not json`)}}
	assert.True(t, CountMessages("gpt-4o", cookbookToolMessages, bad).Estimated)

	assert.Equal(t, 0, CountMessages("gpt-4o", nil, nil).Tokens)
}

func TestCountMessagesImages(t *testing.T) {
	t.Parallel()
	// "Hi" on gpt-4o: 3 (message) + 1 (user) + 1 (Hi) + 3 (priming) = 8
	// tokens, plus the image.
	const text = 8
	tests := []struct {
		name      string
		model     string
		image     Image
		want      int
		estimated bool
	}{
		// 1024x1024 -> 768x768 -> 2x2 tiles: 85 + 4*170 = 765.
		{"gpt-4o high 1024x1024", "gpt-4o", Image{Width: 1024, Height: 1024, Detail: "high"}, 765, false},
		// 2048x4096 -> 1024x2048 -> 768x1536 -> 2x3 tiles: 85 + 6*170 = 1105.
		{"gpt-4o auto 2048x4096", "gpt-4o", Image{Width: 2048, Height: 4096}, 1105, false},
		// Low detail: the base alone.
		{"gpt-4o low", "gpt-4o", Image{Width: 4096, Height: 4096, Detail: "low"}, 85, false},
		// A small image is not scaled up: 1 tile.
		{"gpt-4o small", "gpt-4o", Image{Width: 128, Height: 64}, 255, false},
		// gpt-4o-mini: 2833 + 4*5667 = 25501.
		{"gpt-4o-mini 1024x1024", "gpt-4o-mini", Image{Width: 1024, Height: 1024}, 25501, false},
		// Unknown size: 1024x1024 assumed, an estimate.
		{"gpt-4o unknown size", "gpt-4o", Image{}, 765, true},
		{"gpt-4o unknown size low", "gpt-4o", Image{Detail: "low"}, 85, false},
	}
	for _, tt := range tests {
		got := CountMessages(tt.model, []Message{{Role: "user", Text: []string{"Hi"}, Images: []Image{tt.image}}}, nil)
		assert.Equal(t, text+tt.want, got.Tokens, tt.name)
		assert.Equal(t, tt.estimated, got.Estimated, tt.name)
	}
}

func TestImageTokensPatches(t *testing.T) {
	t.Parallel()
	rule := &imageRule{patch: 1}
	// OpenAI's examples: 1024x1024 is 32*32 = 1024 patches; 1800x2400 is
	// scaled to 1056x1408, 33*44 = 1452 patches.
	assert.Equal(t, 1024, imageTokensByRule(rule, Image{Width: 1024, Height: 1024}))
	assert.Equal(t, 1452, imageTokensByRule(rule, Image{Width: 1800, Height: 2400}))
	// gpt-4.1-mini multiplies by 1.62: 1024 * 1.62 = 1658.88 -> 1659.
	assert.Equal(t, 1659, imageTokensByRule(&imageRule{patch: 1.62}, Image{Width: 1024, Height: 1024}))
	// Patch counts are estimates (OpenAI does not document the rounding).
	n, exact := imageTokens(&imageRule{patch: 1.62}, Image{Width: 1024, Height: 1024})
	assert.Equal(t, 1659, n)
	assert.False(t, exact)
}

// TestCountTextConcurrent counts from several goroutines at once; run
// with -race.
func TestCountTextConcurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := CountMessages("gpt-4o", cookbookMessages, nil).Tokens; got != 124 {
					t.Errorf("got %d tokens, want 124", got)
					return
				}
			}
		})
	}
	wg.Wait()
}
