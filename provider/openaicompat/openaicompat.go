package openaicompat

import (
	"maps"
	"slices"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/openai"
)

func init() {
	for _, s := range vendors {
		llm.Register(s.Name, openai.NewCompatible(s))
	}
}

// Specs returns a copy of the table: the Spec of every vendor this package
// registers, in the table's order.
func Specs() []openai.Spec {
	out := slices.Clone(vendors)
	for i := range out {
		out[i].KeyEnv = slices.Clone(out[i].KeyEnv)
		out[i].BaseURLEnv = slices.Clone(out[i].BaseURLEnv)
		out[i].Unsupported = slices.Clone(out[i].Unsupported)
		out[i].Rename = maps.Clone(out[i].Rename)
		out[i].ErrorCodes = maps.Clone(out[i].ErrorCodes)
	}
	return out
}

// Lookup returns the Spec of the named vendor, such as "groq".
func Lookup(name string) (openai.Spec, bool) {
	for _, s := range Specs() {
		if s.Name == name {
			return s, true
		}
	}
	return openai.Spec{}, false
}

// New returns the provider of the named vendor, for the explicit route
// (llm.WithProvider(openaicompat.New("groq"), ...)), or nil if the table has
// no such vendor. To reach an API the table lacks, build a Spec and call
// openai.NewCompatible, or use "openai_like/<model>" with a base URL.
func New(name string) *openai.Provider {
	s, ok := Lookup(name)
	if !ok {
		return nil
	}
	return openai.NewCompatible(s)
}
