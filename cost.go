package llm

import (
	"errors"

	"github.com/llmux/llm/cost"
)

// Cost is the price of a call in US dollars, itemised (input, cache read,
// cache write, output, reasoning, audio, image, web search...). Known is
// false when the model or one of the units the call used has no price in the
// model table: an unknown cost is never reported as $0.
type Cost = cost.Cost

func init() {
	// Bare model names the well-known OpenAI prefixes do not cover resolve
	// through the model table ("claude-sonnet-4-20250514" → anthropic).
	bareNameResolvers = append(bareNameResolvers, func(model string) string {
		p, _ := cost.Provider(model)
		return p
	})
}

// costOf prices a call from its usage, or returns nil when there is no usage.
// It prices the model the provider reports (often a dated version, so the
// exact price), falling back to the model asked for when the table does not
// know the reported one or lacks a price for a unit the call used (a dated
// snapshot whose entry has no web-search price, say).
func costOf(provider, model, respModel, serviceTier string, u *Usage) *Cost {
	if u == nil {
		return nil
	}
	cu := costUsage(u, serviceTier)
	var partial *Cost // a known model missing the price of a unit
	for _, m := range []string{respModel, model} {
		if m == "" {
			continue
		}
		c, err := cost.Compute(provider+"/"+m, cu)
		if err == nil {
			return &c
		}
		if !errors.Is(err, cost.ErrUnknownModel) && partial == nil {
			partial = &c
		}
	}
	if partial != nil {
		return partial
	}
	if respModel != "" {
		if c, err := cost.Compute(respModel, cu); err == nil || !errors.Is(err, cost.ErrUnknownModel) {
			return &c
		}
	}
	// Unknown: Known is false, and Reason names the model as called.
	c, _ := cost.Compute(provider+"/"+model, cu)
	return &c
}

// mockCost prices a reply of the mock provider: "mock/<model>" is priced as
// <model> when the model table knows it (so that cost code can be tested
// offline), and has an unknown price saying so otherwise. It returns nil for
// a call to another provider answered by a script (WithMockResponse on
// "openai/gpt-4o"), which the client prices as that provider's model.
func mockCost(cfg *Config, model string, u *Usage) *Cost {
	if cfg.provider != "mock" || u == nil {
		return nil
	}
	c, err := cost.Compute(model, costUsage(u, ""))
	if errors.Is(err, cost.ErrUnknownModel) {
		c.Reason = "mock model " + quote(model) + " has no price; name a model of the cost table (mock/gpt-4o) to price the call as that model"
	}
	return &c
}

// costUsage converts token counts to the cost package's plain counts.
func costUsage(u *Usage, serviceTier string) cost.Usage {
	cu := cost.Usage{
		PromptTokens:       u.PromptTokens,
		CachedTokens:       u.PromptTokensDetails.CachedTokens,
		CacheWriteTokens:   u.PromptTokensDetails.CacheCreationTokens,
		CacheWrite1hTokens: u.PromptTokensDetails.CacheCreation1hTokens,
		AudioInputTokens:   u.PromptTokensDetails.AudioTokens,
		ImageInputTokens:   u.PromptTokensDetails.ImageTokens,
		CompletionTokens:   u.CompletionTokens,
		ReasoningTokens:    u.CompletionTokensDetails.ReasoningTokens,
		AudioOutputTokens:  u.CompletionTokensDetails.AudioTokens,
		ImageOutputTokens:  u.CompletionTokensDetails.ImageTokens,
		VideoOutputTokens:  u.CompletionTokensDetails.VideoTokens,
		ServiceTier:        serviceTier,
	}
	if st := u.ServerToolUse; st != nil {
		cu.WebSearchQueries, cu.WebSearchContext = st.WebSearchRequests, st.SearchContextSize
	}
	return cu
}

// WithPreCallChecks makes calls check the request against the model table
// before any network call: a prompt that cannot fit the model's context
// window fails with KindContextWindowExceeded, and tools, images, audio or a
// JSON-schema response format sent to a model whose entry says it lacks them
// fail with KindUnsupported. Models missing from the table are not checked.
// Counting tokens costs time (about a second per megabyte of prompt), so the
// checks are off unless asked for; prompts far smaller than the window are
// not counted.
//
// The tokenizer is reached only through this option, so programs that do
// not use it do not link it.
func WithPreCallChecks() Option { return func(c *Config) { c.preCheck = preCallCheck } }

// preCallCheck runs the checks of WithPreCallChecks.
func preCallCheck(provider, model string, req *CompletionRequest) error {
	name := provider + "/" + model
	info, ok := cost.Lookup(name)
	if !ok {
		return nil
	}
	creq := cost.Request{Tools: len(req.Tools) > 0, ResponseSchema: req.ResponseFormat != nil && req.ResponseFormat.Type == "json_schema"}
	size := 0
	for i := range req.Messages {
		m := &req.Messages[i]
		if m.Role == RoleSystem || m.Role == RoleDeveloper {
			creq.SystemMessages = true
		}
		size += len(m.Content.Text)
		for _, p := range m.Content.Parts {
			size += len(p.Text)
			switch p.Type {
			case PartImageURL:
				creq.Images = true
			case PartInputAudio:
				creq.Audio = true
			}
		}
		for _, tc := range m.ToolCalls {
			size += len(tc.Function.Arguments)
		}
	}
	for _, t := range req.Tools {
		if t.Function != nil {
			size += len(t.Function.Parameters) + len(t.Function.Description)
		}
	}
	// Every text token is at least one byte: a text prompt with far fewer
	// bytes than the window cannot overflow it, so skip the counting
	// (images cost tokens beyond their bytes, so they are always counted).
	if info.MaxInputTokens > 0 && (creq.Images || size >= info.MaxInputTokens/2) {
		tc := CountTokens(name, req)
		creq.PromptTokens, creq.Estimated = tc.Tokens, tc.Estimated
	}
	err := info.Check(creq)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cost.ErrContextWindow):
		return &Error{Kind: KindContextWindowExceeded, Message: err.Error(), Err: err}
	case errors.Is(err, cost.ErrUnsupported):
		return &Error{Kind: KindUnsupported, Message: err.Error(), Err: err}
	}
	return &Error{Kind: KindInvalidRequest, Message: err.Error(), Err: err}
}

// CountTokens counts the tokens of a request's messages and tools for model
// (a "provider/model" string or a bare name), with OpenAI's tokenizers and
// per-message overheads. For models without a known tokenizer the count is an
// estimate, and says so.
func CountTokens(model string, req *CompletionRequest) cost.TokenCount {
	msgs := make([]cost.Message, len(req.Messages))
	for i := range req.Messages {
		m := &req.Messages[i]
		cm := cost.Message{Role: string(m.Role), Name: m.Name, ToolCallID: m.ToolCallID}
		if m.Content.Parts == nil {
			if m.Content.Text != "" {
				cm.Text = []string{m.Content.Text}
			}
		}
		for _, p := range m.Content.Parts {
			switch p.Type {
			case PartText:
				cm.Text = append(cm.Text, p.Text)
			case PartImageURL:
				cm.Images = append(cm.Images, cost.Image{Detail: p.ImageURL.Detail})
			}
		}
		for _, tc := range m.ToolCalls {
			cm.ToolCalls = append(cm.ToolCalls, cost.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		msgs[i] = cm
	}
	var tools []cost.Tool
	for _, t := range req.Tools {
		if t.Function != nil {
			tools = append(tools, cost.Tool{Name: t.Function.Name, Description: t.Function.Description, Parameters: t.Function.Parameters})
		}
	}
	return cost.CountMessages(model, msgs, tools)
}
