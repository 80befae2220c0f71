package gemini

import (
	"strings"

	"github.com/llmux/llm"
)

type thinkingBudgetKey struct{}

// WithThinkingBudget sets the thinking budget in tokens (thinkingConfig.
// thinkingBudget) and asks for the thoughts to be returned, overriding
// reasoning_effort. 0 turns thinking off where the model allows it; -1 lets
// the model decide (dynamic thinking).
func WithThinkingBudget(tokens int) llm.Option { return llm.WithValue(thinkingBudgetKey{}, tokens) }

// EffortBudget is the thinking budget, in tokens, that reasoning_effort
// selects on Gemini 2.5 models (which take a budget; Gemini 3 takes a level).
var EffortBudget = map[string]int{
	"none":    0,
	"minimal": 128,
	"low":     1024,
	"medium":  2048,
	"high":    4096,
}

// effortLevel is the thinkingLevel that reasoning_effort selects on Gemini 3
// models, which cannot turn thinking off: none is their lowest level.
var effortLevel = map[string]string{
	"none":    "MINIMAL",
	"minimal": "MINIMAL",
	"low":     "LOW",
	"medium":  "MEDIUM",
	"high":    "HIGH",
}

// usesThinkingLevel reports the model families controlled by thinkingLevel
// rather than thinkingBudget (Gemini 3 and later).
func usesThinkingLevel(model string) bool {
	m := model[strings.LastIndexByte(model, '/')+1:]
	return strings.HasPrefix(m, "gemini-3")
}

// thinking maps reasoning_effort (or WithThinkingBudget) to thinkingConfig,
// with includeThoughts so that the thoughts come back as reasoning_content.
func thinking(model, effort string, cfg *llm.Config) (*thinkingConfig, error) {
	if cfg != nil {
		if v, ok := cfg.Value(thinkingBudgetKey{}).(int); ok {
			return &thinkingConfig{IncludeThoughts: v != 0, ThinkingBudget: &v}, nil
		}
	}
	if effort == "" {
		return nil, nil
	}
	if usesThinkingLevel(model) {
		lvl, ok := effortLevel[effort]
		if !ok {
			return nil, invalid("unknown reasoning_effort " + effort + " (want none, minimal, low, medium or high)")
		}
		return &thinkingConfig{IncludeThoughts: effort != "none", ThinkingLevel: lvl}, nil
	}
	b, ok := EffortBudget[effort]
	if !ok {
		return nil, invalid("unknown reasoning_effort " + effort + " (want none, minimal, low, medium or high)")
	}
	if b == 128 && strings.Contains(model, "flash-lite") {
		b = 512 // flash-lite's smallest budget
	}
	return &thinkingConfig{IncludeThoughts: b != 0, ThinkingBudget: &b}, nil
}
