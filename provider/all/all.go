// Package all registers every built-in provider. Import it for its side
// effect:
//
//	import _ "github.com/llmux/llm/provider/all"
package all

import (
	_ "github.com/llmux/llm/provider/cohere" // cohere
	_ "github.com/llmux/llm/provider/ollama" // ollama, ollama_chat
	_ "github.com/llmux/llm/provider/openai" // openai
)
