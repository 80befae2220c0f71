package llm_test

import (
	"context"
	"fmt"

	"github.com/llmux/llm"
)

func ExampleEmbedding() {
	resp, err := llm.Embedding(context.Background(), llm.EmbeddingRequest{
		Model:      "mock/text-embedding-3-small", // "openai/text-embedding-3-small", ...
		Input:      llm.EmbedTexts("The food was delicious", "The waiter was friendly"),
		Dimensions: 4,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range resp.Data {
		fmt.Printf("%d %.3f\n", d.Index, d.Embedding)
	}
	fmt.Printf("%d tokens, $%.2g\n", resp.Usage.PromptTokens, resp.Meta.Cost.Total)
	// Output:
	// 0 [-0.366 0.849 -0.039 -0.378]
	// 1 [0.575 0.608 -0.334 -0.434]
	// 8 tokens, $1.6e-07
}
