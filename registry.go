package llm

import (
	"context"
	"iter"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Provider is a backend that translates requests to one provider's wire
// format. For provider authors (see "Writing a provider" in the package
// documentation); users only pass one to WithProvider. Implementations are
// stateless: everything about a call comes in its
// arguments, as with a database/sql driver. What a provider can do is told by
// the optional interfaces it implements (Completer, Streamer, ...); a
// missing capability is an Unsupported error, never a stub method.
type Provider interface {
	// Name is the provider's name in model strings, such as "openai".
	Name() string
}

// Completer creates chat completions. For provider authors: the capability
// behind Completion.
type Completer interface {
	Provider
	// Completion sends req, whose Model is the provider's model name
	// (without the "provider/" prefix). It must not modify req.
	Completion(ctx context.Context, req *CompletionRequest, cfg *Config) (*CompletionResponse, error)
}

// Streamer streams chat completions. For provider authors: the capability
// behind CompletionStream.
type Streamer interface {
	Provider
	// CompletionStream returns a single-use sequence of chunks read in the
	// caller's goroutine. Ending the iteration (break) or canceling ctx
	// must close the response body; an error is yielded at most once and
	// ends the sequence; the last chunk carries the usage.
	CompletionStream(ctx context.Context, req *CompletionRequest, cfg *Config) iter.Seq2[*Chunk, error]
}

// TextCompleter creates legacy text completions. For provider authors: the
// capability behind TextCompletion.
type TextCompleter interface {
	Provider
	// TextCompletion sends req, whose Model is the provider's model name. It
	// must not modify req.
	TextCompletion(ctx context.Context, req *TextCompletionRequest, cfg *Config) (*TextCompletionResponse, error)
}

var registry = struct {
	sync.RWMutex
	m map[string]Provider
}{m: map[string]Provider{}}

// Register makes p available under name in model strings ("name/model").
// For provider authors: providers call it from init. It panics if p is nil or name is already
// taken, as database/sql.Register does. The provider's Name need not equal
// name: one translator may serve several names.
func Register(name string, p Provider) {
	if p == nil {
		panic("llm: Register provider is nil")
	}
	if name == "" || strings.Contains(name, "/") {
		panic("llm: Register invalid provider name " + name)
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[name]; dup {
		panic("llm: Register called twice for provider " + name)
	}
	registry.m[name] = p
}

// Providers returns the sorted names of the registered providers.
func Providers() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.m))
	for n := range registry.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func registered(name string) (Provider, bool) {
	registry.RLock()
	p, ok := registry.m[name]
	registry.RUnlock()
	return p, ok
}

// bareNameResolvers map a model name without a provider prefix to its
// provider; the first that answers wins.
var bareNameResolvers = []func(model string) string{openAIBareName}

// openAIPrefixes are the well-known OpenAI model families.
var openAIPrefixes = []string{
	"gpt-", "chatgpt-", "o1", "o3", "o4", "codex-", "text-embedding-", "dall-e-", "gpt-image-",
	"whisper-", "tts-", "davinci-", "babbage-", "omni-moderation-", "text-moderation-", "sora-",
	"computer-use-",
}

func openAIBareName(model string) string {
	for _, p := range openAIPrefixes {
		if strings.HasPrefix(model, p) {
			return "openai"
		}
	}
	return ""
}

// ParseModel splits a model string into its provider and the provider's
// model name. The provider is the text before the first "/" and the model is
// everything after it, slashes included ("openrouter/anthropic/claude-3.5-sonnet"
// is provider "openrouter", model "anthropic/claude-3.5-sonnet"). A bare name
// such as "gpt-4o" resolves to its provider when it is a well-known one.
// Surrounding white space is trimmed; a string with an empty segment
// ("mock//", "/x", "x/"), white space around a segment, a control character
// or more than 512 bytes is a KindInvalidRequest error.
func ParseModel(model string) (provider, name string, err error) {
	model = strings.TrimSpace(model)
	if model == "" {
		return "", "", Errorf(KindInvalidRequest, "model is empty; use a \"provider/model\" string such as \"openai/gpt-4o\" or \"mock/test\"")
	}
	if len(model) > maxModelLen {
		return "", "", Errorf(KindInvalidRequest, "model %s is %d bytes long; a model string has at most %d", quote(model), len(model), maxModelLen)
	}
	if problem := modelProblem(model); problem != "" {
		return "", "", Errorf(KindInvalidRequest, "model %s is not of the form \"provider/model\": %s", quote(model), problem)
	}
	if p, n, ok := strings.Cut(model, "/"); ok {
		return p, n, nil
	}
	for _, r := range bareNameResolvers {
		if p := r(model); p != "" {
			return p, model, nil
		}
	}
	if _, ok := registered(model); ok {
		return "", "", Errorf(KindInvalidRequest, "model %s names a provider but no model; write it as \"%s/<model>\"", quote(model), capped(model))
	}
	return "", "", Errorf(KindInvalidRequest, "model %s names no provider; write it as \"<provider>/%s\", where <provider> is a registered provider (llm.Providers()) such as openai, anthropic or ollama",
		quote(model), capped(model))
}

// maxModelLen bounds the length of a model string: the longest real ones
// (Bedrock inference-profile ARNs) are about 100 bytes.
const maxModelLen = 512

// modelProblem says what is wrong with a trimmed model string, or returns "".
func modelProblem(model string) string {
	for _, r := range model {
		if unicode.IsControl(r) {
			return "it holds a control character"
		}
	}
	for seg := range strings.SplitSeq(model, "/") {
		switch {
		case seg == "":
			return "it has an empty segment"
		case strings.TrimSpace(seg) != seg:
			return "a segment begins or ends with white space"
		}
	}
	return ""
}

func unknownProvider(name, model string) *Error {
	return &Error{Kind: KindInvalidRequest, Provider: capped(name), Message: "unknown provider " + quote(name) + " in model " + quote(model) +
		": no provider is registered under that name; import _ \"github.com/llmux/llm/provider/all\" for every built-in provider (or the provider's own package), or register one with llm.Register"}
}
