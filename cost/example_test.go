package cost_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmux/llm/cost"
)

func ExampleCompute() {
	// 1,200 prompt tokens, 1,000 of them read from the prompt cache.
	c, err := cost.Compute("gpt-4o", cost.Usage{PromptTokens: 1200, CachedTokens: 1000, CompletionTokens: 300})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Model, c)
	fmt.Printf("input $%.6f, cache read $%.6f, output $%.6f\n", c.Input, c.CacheRead, c.Output)
	// Output:
	// openai/gpt-4o $0.004750
	// input $0.000500, cache read $0.001250, output $0.003000
}

func ExampleCompute_unknownModel() {
	c, err := cost.Compute("acme/brand-new-model", cost.Usage{PromptTokens: 1000})
	fmt.Println(c.Known, errors.Is(err, cost.ErrUnknownPrice), errors.Is(err, cost.ErrUnknownModel))
	fmt.Println(err)
	// Output:
	// false true true
	// cost: unknown price: model "acme/brand-new-model" is not in the table
}

func ExampleCompute_media() {
	image, _ := cost.Compute("dall-e-3", cost.Usage{Images: 1, ImageSize: "1024x1792", ImageQuality: "hd"})
	speech, _ := cost.Compute("tts-1", cost.Usage{Characters: 2000})
	transcript, _ := cost.Compute("whisper-1", cost.Usage{AudioSeconds: 60})
	fmt.Printf("%.4f %.4f %.4f\n", image.Total, speech.Total, transcript.Total)
	// Output:
	// 0.1200 0.0300 0.0060
}

func ExampleLookup() {
	m, ok := cost.Lookup("claude-sonnet-4-20250514")
	fmt.Println(ok, m.Name, m.Provider, m.MaxInputTokens, m.Supports.Has(cost.Vision|cost.Tools))
	// A Bedrock cross-region id resolves to the base model's entry.
	m, _ = cost.Lookup("bedrock/apac.anthropic.claude-3-opus-20240229-v1:0")
	fmt.Println(m.Name)
	// Output:
	// true anthropic/claude-sonnet-4-20250514 anthropic 1000000 true
	// bedrock/anthropic.claude-3-opus-20240229-v1:0
}

func ExampleProvider() {
	for _, model := range []string{"gpt-4o", "claude-sonnet-4-20250514", "mistral/some-future-model"} {
		p, ok := cost.Provider(model)
		fmt.Println(model, p, ok)
	}
	// Output:
	// gpt-4o openai true
	// claude-sonnet-4-20250514 anthropic true
	// mistral/some-future-model mistral true
}

func ExamplePrices_Cost() {
	// A deployment with negotiated prices, kept by the caller rather than
	// registered in the default table.
	p := cost.Prices{Rates: cost.Rates{Input: 2e-06, Output: 8e-06, CacheRead: 5e-07}}
	c, err := p.Cost(cost.Usage{PromptTokens: 10000, CachedTokens: 8000, CompletionTokens: 1000})
	fmt.Println(c, err)
	// Output:
	// $0.016000 <nil>
}

func ExampleTable_WithJSON() {
	// Overrides in LiteLLM's schema, applied to a copy of the table.
	t, err := cost.Default().WithJSON(strings.NewReader(`{
		"my-azure-deployment": {"litellm_provider": "azure", "mode": "chat",
			"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}}`))
	if err != nil {
		panic(err)
	}
	c, _ := t.Compute("azure/my-azure-deployment", cost.Usage{PromptTokens: 1000, CompletionTokens: 100})
	fmt.Println(c)
	// Output:
	// $0.001400
}

func ExampleCountMessages() {
	msgs := []cost.Message{
		{Role: "system", Text: []string{"You are a helpful assistant."}},
		{Role: "user", Text: []string{"What is in this picture?"}, Images: []cost.Image{{Width: 1024, Height: 1024}}},
	}
	// 3 + 1 (system) + 6 (text), 3 + 1 (user) + 6 (text) + 765 (image:
	// 768x768, 4 tiles of 170 + 85), 3 to prime the reply: 788.
	n := cost.CountMessages("gpt-4o", msgs, nil)
	fmt.Println(n.Tokens, n.Estimated, n.Encoding)
	n = cost.CountMessages("claude-sonnet-4-20250514", msgs, nil)
	fmt.Println(n.Estimated)
	// Output:
	// 788 false o200k_base
	// true
}

func ExampleCheck() {
	err := cost.Check("gpt-4o", cost.Request{PromptTokens: 200000})
	fmt.Println(errors.Is(err, cost.ErrContextWindow))
	fmt.Println(err)
	err = cost.Check("o3-mini", cost.Request{PromptTokens: 100, Images: true})
	fmt.Println(errors.Is(err, cost.ErrUnsupported), errors.Is(err, errors.ErrUnsupported))
	// Output:
	// true
	// cost: prompt of 200000 tokens exceeds the 128000-token context window of openai/gpt-4o
	// true true
}
