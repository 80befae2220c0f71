package anthropic

import (
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/cost"
)

// Version is the anthropic-version header sent by default; llm.WithAPIVersion
// replaces it.
const Version = "2023-06-01"

// DefaultBaseURL is the API endpoint used when neither llm.WithBaseURL nor
// ANTHROPIC_API_BASE / ANTHROPIC_BASE_URL is set.
const DefaultBaseURL = "https://api.anthropic.com"

// StructuredOutputsBeta is the anthropic-beta value that enables the native
// output_format parameter, added automatically when a request uses it.
const StructuredOutputsBeta = "structured-outputs-2025-11-13"

// JSONTool is the name of the tool the translator forces for
// response_format json_schema (and json_object) on models without native
// structured outputs. Its input is returned as the message content, so a
// caller's own tool may not use this name in such a request.
const JSONTool = "json_tool_call"

// Provider is the Anthropic Messages API translator. It is stateless.
type Provider struct{}

// New returns the Anthropic provider.
func New() *Provider { return &Provider{} }

func init() { llm.Register("anthropic", New()) }

// Name implements llm.Provider.
func (*Provider) Name() string { return "anthropic" }

type (
	thinkingBudgetKey struct{}
	betaKey           struct{}
)

// WithThinkingBudget enables extended thinking with an explicit budget of n
// tokens (at least 1024, less than max_tokens), overriding the mapping of
// reasoning_effort. n = 0 disables thinking even when reasoning_effort is
// set.
func WithThinkingBudget(n int) llm.Option { return llm.WithValue(thinkingBudgetKey{}, n) }

// WithBeta adds anthropic-beta feature names to the request (for Bedrock, to
// the body's anthropic_beta field). Repeated options accumulate; an
// anthropic-beta header given with llm.WithHeader is merged too.
func WithBeta(names ...string) llm.Option {
	return func(c *llm.Config) {
		prev, _ := c.Value(betaKey{}).([]string)
		all := append(append([]string(nil), prev...), names...)
		llm.WithValue(betaKey{}, all)(c)
	}
}

// thinkingBudget returns the budget set with WithThinkingBudget, if any.
func thinkingBudget(cfg *llm.Config) (int, bool) {
	if cfg == nil {
		return 0, false
	}
	n, ok := cfg.Value(thinkingBudgetKey{}).(int)
	return n, ok
}

// EffortBudget maps reasoning_effort to a thinking budget in tokens:
//
//	minimal → 1024, low → 2048, medium → 8192, high → 24576
//
// and "none" or "" to 0 (thinking off). An unknown effort returns -1.
func EffortBudget(effort string) int {
	switch effort {
	case "", "none":
		return 0
	case "minimal":
		return 1024
	case "low":
		return 2048
	case "medium":
		return 8192
	case "high":
		return 24576
	}
	return -1
}

// DefaultMaxTokens is the max_tokens sent when a request gives none
// (Anthropic requires it): the model's maximum output from the model table
// (package cost), else the model family's maximum output as Anthropic's
// model overview documents it, or 4096 for a model it does not know. The
// model may be a bare Anthropic id ("claude-sonnet-4-5-20250929") or a
// Bedrock/Vertex id containing one ("anthropic.claude-3-5-haiku-20241022-v1:0",
// "claude-opus-4-1@20250805").
//
//	claude-3-haiku, claude-3-opus, claude-3-sonnet, claude-2, claude-instant  4096
//	claude-3-5-sonnet, claude-3-5-haiku                                        8192
//	claude-opus-4, claude-opus-4-1                                            32000
//	claude-3-7-sonnet, claude-sonnet-4, claude-sonnet-4-5, claude-haiku-4-5,
//	claude-opus-4-5 and later 4.x families                                    64000
func DefaultMaxTokens(model string) int {
	if info, ok := cost.Lookup("anthropic/" + model); ok && info.MaxOutputTokens > 0 {
		return info.MaxOutputTokens
	}
	m := strings.ToLower(model)
	switch {
	case strings.Contains(m, "claude-3-5-"):
		return 8192
	case strings.Contains(m, "claude-3-7-"):
		return 64000
	case strings.Contains(m, "claude-3-"), strings.Contains(m, "claude-2"), strings.Contains(m, "claude-instant"):
		return 4096
	}
	fam, major, minor, ok := family(m)
	if !ok || major < 4 {
		return 4096
	}
	if fam == "opus" && major == 4 && minor < 5 {
		return 32000
	}
	return 64000
}

// SupportsStructuredOutput reports the models that take the native
// output_format parameter (the structured-outputs beta): Claude 4.5 and
// later families and claude-opus-4-1. Other models get response_format
// json_schema through the forced JSONTool.
func SupportsStructuredOutput(model string) bool {
	fam, major, minor, ok := family(strings.ToLower(model))
	if !ok {
		return false
	}
	if fam == "opus" && major == 4 && minor == 1 {
		return true
	}
	return major > 4 || (major == 4 && minor >= 5)
}

// OneSamplingParam reports the models that take temperature or top_p but
// not both (Anthropic's migration guide for Claude Sonnet 4.5 and Haiku 4.5;
// the API answers 400 for Claude Opus 4.1 too): claude-opus-4-1 and every
// 4.5 and later family. A request for such a model that sets both fails with
// KindUnsupported, or with WithDropUnsupportedParams keeps temperature and
// drops top_p.
func OneSamplingParam(model string) bool {
	fam, major, minor, ok := family(strings.ToLower(model))
	if !ok {
		return false
	}
	return (fam == "opus" && major == 4 && minor == 1) || major > 4 || (major == 4 && minor >= 5)
}

// family parses the "claude-<family>-<major>[-<minor>]" part of a model id,
// where minor is a single or double digit (a date suffix is not a minor).
func family(m string) (fam string, major, minor int, ok bool) {
	i := strings.Index(m, "claude-")
	if i < 0 {
		return "", 0, 0, false
	}
	parts := strings.Split(m[i+len("claude-"):], "-")
	if len(parts) < 2 {
		return "", 0, 0, false
	}
	switch parts[0] {
	case "opus", "sonnet", "haiku":
	default:
		return "", 0, 0, false
	}
	major, ok = smallNumber(parts[1])
	if !ok {
		return "", 0, 0, false
	}
	if len(parts) > 2 {
		if n, isMinor := smallNumber(strings.SplitN(parts[2], "@", 2)[0]); isMinor {
			minor = n
		}
	}
	return parts[0], major, minor, true
}

// smallNumber parses a one- or two-digit number.
func smallNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
