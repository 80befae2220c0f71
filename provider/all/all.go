// Package all registers every built-in provider. Import it for its side
// effect:
//
//	import _ "github.com/llmux/llm/provider/all"
package all

import (
	_ "github.com/llmux/llm/provider/anthropic"    // anthropic
	_ "github.com/llmux/llm/provider/azure"        // azure, azure_ai
	_ "github.com/llmux/llm/provider/bedrock"      // bedrock
	_ "github.com/llmux/llm/provider/cohere"       // cohere
	_ "github.com/llmux/llm/provider/gemini"       // gemini
	_ "github.com/llmux/llm/provider/mistral"      // mistral
	_ "github.com/llmux/llm/provider/ollama"       // ollama, ollama_chat
	_ "github.com/llmux/llm/provider/openai"       // openai
	_ "github.com/llmux/llm/provider/openaicompat" // groq, deepseek, together_ai, ... (the OpenAI-compatible table)
	_ "github.com/llmux/llm/provider/replicate"    // replicate
	_ "github.com/llmux/llm/provider/vertex"       // vertex_ai
)
