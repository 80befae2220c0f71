module github.com/llmux/llm

go 1.25.0
