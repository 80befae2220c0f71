package openaicompat

import "github.com/llmux/llm"

// xAI counts reasoning tokens beside completion_tokens, where OpenAI counts
// them inside it (prompt 663 + completion 50 + reasoning 124 = total 837 in
// the example of Google's documentation of Grok on Vertex:
// https://docs.cloud.google.com/vertex-ai/generative-ai/docs/partner-models/grok/capabilities/reasoning).
// xaiUsage brings such usage to OpenAI's meaning, so that usage and cost
// count the reasoning as output. Usage whose total already counts the
// reasoning inside the completion (a gateway's) is left as it is.
func xaiUsage(u *llm.Usage) {
	if u == nil {
		return
	}
	r := u.CompletionTokensDetails.ReasoningTokens
	if r <= 0 || (u.TotalTokens != 0 && u.TotalTokens == u.PromptTokens+u.CompletionTokens) {
		return
	}
	u.CompletionTokens += r
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
}

func xaiAmend(_ []byte, r *llm.CompletionResponse) { xaiUsage(r.Usage) }

func xaiAmendStream() func([]byte, *llm.Chunk) {
	return func(_ []byte, c *llm.Chunk) { xaiUsage(c.Usage) }
}
