// Package all registers every built-in provider. Import it for its side
// effect:
//
//	import _ "github.com/llmux/llm/provider/all"
package all

import (
	_ "github.com/llmux/llm/provider/anthropic" // anthropic
	_ "github.com/llmux/llm/provider/gemini"    // gemini
	_ "github.com/llmux/llm/provider/openai"    // openai
	_ "github.com/llmux/llm/provider/vertex"    // vertex_ai
)
