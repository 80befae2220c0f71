// Package all registers every built-in provider. Import it for its side
// effect:
//
//	import _ "github.com/llmux/llm/provider/all"
package all

import (
	_ "github.com/llmux/llm/provider/anthropic"    // anthropic
	_ "github.com/llmux/llm/provider/azure"        // azure, azure_ai
	_ "github.com/llmux/llm/provider/mistral"      // mistral
	_ "github.com/llmux/llm/provider/openai"       // openai
	_ "github.com/llmux/llm/provider/openaicompat" // groq, deepseek, together_ai, ... (the OpenAI-compatible table)
)
