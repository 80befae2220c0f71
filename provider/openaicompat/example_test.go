package openaicompat_test

import (
	"fmt"

	"github.com/llmux/llm/provider/openaicompat"
)

// The table says where a vendor's key and endpoint come from.
func ExampleLookup() {
	s, _ := openaicompat.Lookup("groq")
	fmt.Println(s.BaseURL, s.KeyEnv, s.BaseURLEnv)
	vllm, _ := openaicompat.Lookup("hosted_vllm")
	fmt.Printf("base URL %q, required from %v\n", vllm.BaseURL, vllm.BaseURLEnv)
	// Output:
	// https://api.groq.com/openai/v1 [GROQ_API_KEY] [GROQ_API_BASE]
	// base URL "", required from [HOSTED_VLLM_API_BASE]
}
