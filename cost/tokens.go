package cost

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/tiktoken-go/tokenizer"
)

// Message is a chat message reduced to what token counting needs.
type Message struct {
	// Role is "system", "developer", "user", "assistant" or "tool".
	Role string
	// Name is the participant's name, if any.
	Name string
	// Text holds the text parts of the content; a plain string content is
	// one part.
	Text []string
	// Images are the image parts of the content.
	Images []Image
	// ToolCalls are the assistant's tool calls.
	ToolCalls []ToolCall
	// ToolCallID is the call a tool message answers.
	ToolCallID string
}

// Image is an image part of a message, as token counting sees it.
type Image struct {
	// Width and Height are the image's size in pixels; 0 if unknown.
	Width, Height int
	// Detail is OpenAI's detail setting: "low", "high" or "auto" ("" is
	// "auto", which counts as "high").
	Detail string
}

// ToolCall is a tool call in an assistant message.
type ToolCall struct {
	ID, Name, Arguments string
}

// Tool is a tool (function) definition offered to the model.
type Tool struct {
	Name, Description string
	// Parameters is the JSON schema of the arguments.
	Parameters []byte
}

// TokenCount is the result of counting tokens.
type TokenCount struct {
	// Tokens is the number of tokens.
	Tokens int
	// Estimated reports that Tokens is an estimate: the model is not an
	// OpenAI model with a known tokenizer, or the input holds something
	// whose token cost OpenAI does not document exactly (see the package
	// documentation).
	Estimated bool
	// Encoding is the tiktoken encoding used ("o200k_base",
	// "cl100k_base").
	Encoding string
}

// tokenEncoding is a tiktoken encoding, loaded on first use. Nothing
// outside the counting functions refers to the tokenizer, so programs that
// never count tokens do not link its vocabularies.
type tokenEncoding struct {
	name  string
	once  sync.Once
	codec tokenizer.Codec
}

var (
	o200k  = &tokenEncoding{name: string(tokenizer.O200kBase)}
	cl100k = &tokenEncoding{name: string(tokenizer.Cl100kBase)}
)

func (e *tokenEncoding) load() tokenizer.Codec {
	e.once.Do(func() {
		c, err := tokenizer.Get(tokenizer.Encoding(e.name))
		if err != nil {
			panic(fmt.Sprintf("cost: tokenizer %s: %v", e.name, err)) // the library ships both
		}
		e.codec = c
	})
	return e.codec
}

func (e *tokenEncoding) count(s string) int {
	if s == "" {
		return 0
	}
	n, err := e.load().Count(s)
	if err != nil {
		// Count fails only on invalid UTF-8 in strict mode, which the
		// default codec does not use; fall back to a byte estimate.
		return (len(s) + 3) / 4
	}
	return n
}

// imageRule is how a model family counts an image.
type imageRule struct {
	base, tile int     // tiles: base + tile per 512px tile; low detail: base
	patch      float64 // patches: multiplier per 32px patch (base and tile unused)
	exact      bool    // the rule is OpenAI's documented one for the family
}

// tokenProfile is how a model family counts tokens.
type tokenProfile struct {
	prefix   string
	enc      *tokenEncoding
	verified bool // message and tool overheads checked against the API (OpenAI's cookbook)
	funcInit int  // tool overhead per function (cookbook)
	image    *imageRule
}

var (
	tiles4o     = &imageRule{base: 85, tile: 170, exact: true}
	tiles4oMini = &imageRule{base: 2833, tile: 5667, exact: true}
	tilesO      = &imageRule{base: 75, tile: 150, exact: true}
	tilesCUA    = &imageRule{base: 65, tile: 129, exact: true}
	tilesGPT5   = &imageRule{base: 70, tile: 140}
)

// openAIProfiles are OpenAI's model families, longest prefix first within
// a family. Message overheads are the cookbook's (3 per message, 1 per
// name, 3 to prime the reply), verified there for gpt-3.5-turbo, gpt-4,
// gpt-4o and gpt-4o-mini; other families use them too but count as
// estimates.
var openAIProfiles = []tokenProfile{
	{prefix: "gpt-4o-mini", enc: o200k, verified: true, funcInit: 7, image: tiles4oMini},
	{prefix: "gpt-4o", enc: o200k, verified: true, funcInit: 7, image: tiles4o},
	{prefix: "chatgpt-4o", enc: o200k, funcInit: 7, image: tiles4o},
	{prefix: "gpt-4.1-mini", enc: o200k, funcInit: 7, image: &imageRule{patch: 1.62}},
	{prefix: "gpt-4.1-nano", enc: o200k, funcInit: 7, image: &imageRule{patch: 2.46}},
	{prefix: "gpt-4.1", enc: o200k, funcInit: 7, image: tiles4o},
	{prefix: "gpt-4.5", enc: o200k, funcInit: 7, image: tiles4o},
	{prefix: "gpt-5-mini", enc: o200k, funcInit: 7, image: &imageRule{patch: 1.62}},
	{prefix: "gpt-5-nano", enc: o200k, funcInit: 7, image: &imageRule{patch: 2.46}},
	{prefix: "gpt-5", enc: o200k, funcInit: 7, image: tilesGPT5},
	{prefix: "o1", enc: o200k, funcInit: 7, image: tilesO},
	{prefix: "o3", enc: o200k, funcInit: 7, image: tilesO},
	{prefix: "o4-mini", enc: o200k, funcInit: 7, image: &imageRule{patch: 1.72}},
	{prefix: "computer-use", enc: o200k, funcInit: 7, image: tilesCUA},
	{prefix: "codex", enc: o200k, funcInit: 7, image: tiles4o},
	{prefix: "gpt-oss", enc: o200k, funcInit: 7},
	{prefix: "gpt-4", enc: cl100k, verified: true, funcInit: 10, image: tiles4o},
	{prefix: "gpt-3.5", enc: cl100k, verified: true, funcInit: 10},
	{prefix: "gpt-35", enc: cl100k, verified: true, funcInit: 10},
	{prefix: "text-embedding-3", enc: cl100k, verified: true},
	{prefix: "text-embedding-ada-002", enc: cl100k, verified: true},
	{prefix: "davinci-002", enc: cl100k, verified: true},
	{prefix: "babbage-002", enc: cl100k, verified: true},
}

// estimateProfile counts for models without a known tokenizer.
var estimateProfile = tokenProfile{enc: o200k, funcInit: 7, image: &imageRule{base: 85, tile: 170}}

// openAIProviders are the providers that serve OpenAI's models under
// OpenAI's names.
var openAIProviders = map[string]bool{"openai": true, "azure": true}

// profileFor returns the counting profile of model and whether it is an
// OpenAI model with a known tokenizer.
func profileFor(model string) (tokenProfile, bool) {
	id := strings.ToLower(model)
	t := Default()
	provider, rest, hasProvider := t.splitProvider(id)
	if hasProvider {
		id = rest
	} else if m := t.find(model); m != nil {
		provider = m.Provider
		id = strings.ToLower(m.ModelID())
	}
	if provider != "" && !openAIProviders[provider] {
		return estimateProfile, false
	}
	id = strings.TrimPrefix(id, "ft:")
	for _, p := range openAIProfiles {
		if strings.HasPrefix(id, p.prefix) {
			return p, true
		}
	}
	return estimateProfile, false
}

// CountText counts the tokens of a plain text for model with the model's
// tiktoken encoding, without the per-message overheads of a chat request
// (CountMessages counts those; llm.CountTokens counts an llm request). For
// a model that is not an OpenAI model with a known encoding the count uses
// o200k_base and is marked as an estimate.
func CountText(model, text string) TokenCount {
	p, exact := profileFor(model)
	return TokenCount{Tokens: p.enc.count(text), Estimated: !exact, Encoding: p.enc.name}
}

// CountMessages counts the prompt tokens of a chat request for model: the
// messages with OpenAI's per-message overheads, the images by OpenAI's
// rules, and the tool definitions by the formula of OpenAI's cookbook.
//
// The count is exact (Estimated false) only for the OpenAI families whose
// overheads the cookbook checked against the API (gpt-3.5-turbo, gpt-4,
// gpt-4o, gpt-4o-mini), for messages with text, names and images of known
// size, and tool definitions whose parameters are flat objects of typed
// properties. Tool calls and tool results in the history, and every other
// model, give an estimate.
func CountMessages(model string, messages []Message, tools []Tool) TokenCount {
	p, exact := profileFor(model)
	c := TokenCount{Estimated: !exact || !p.verified, Encoding: p.enc.name}
	if len(messages) == 0 && len(tools) == 0 {
		return c
	}
	const perMessage, perName, replyPriming = 3, 1, 3
	n := 0
	for i := range messages {
		m := &messages[i]
		n += perMessage + p.enc.count(m.Role)
		for _, s := range m.Text {
			n += p.enc.count(s)
		}
		if m.Name != "" {
			n += p.enc.count(m.Name) + perName
		}
		for _, img := range m.Images {
			t, ok := imageTokens(p.image, img)
			n += t
			if !ok {
				c.Estimated = true
			}
		}
		if len(m.ToolCalls) > 0 || m.ToolCallID != "" {
			// OpenAI does not document how it renders tool calls and
			// results; count their text plus a small frame.
			c.Estimated = true
			for _, tc := range m.ToolCalls {
				n += perMessage + p.enc.count(tc.Name) + p.enc.count(tc.Arguments)
			}
			n += p.enc.count(m.ToolCallID)
		}
	}
	n += replyPriming
	if len(tools) > 0 {
		t, ok := toolTokens(p, tools)
		n += t
		if !ok {
			c.Estimated = true
		}
	}
	c.Tokens = n
	return c
}

// toolTokens counts tool definitions with the cookbook's formula: per
// function an overhead, "name:description", and per property an overhead,
// "name:type:description" and its enum values; one closing overhead. It
// reports false when a schema has a shape the formula does not cover.
func toolTokens(p tokenProfile, tools []Tool) (int, bool) {
	const propInit, propKey, enumInit, enumItem, funcEnd = 3, 3, -3, 3, 12
	exact := true
	n := 0
	for _, t := range tools {
		n += p.funcInit + p.enc.count(t.Name+":"+strings.TrimSuffix(t.Description, "."))
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if len(t.Parameters) > 0 {
			if err := json.Unmarshal(t.Parameters, &schema); err != nil {
				exact = false
				n += p.enc.count(string(t.Parameters))
				continue
			}
		}
		if len(schema.Properties) == 0 {
			continue
		}
		n += propInit
		for name, raw := range schema.Properties {
			n += propKey
			var prop struct {
				Type        any    `json:"type"`
				Description string `json:"description"`
				Enum        []any  `json:"enum"`
				Properties  any    `json:"properties"`
				Items       any    `json:"items"`
			}
			if err := json.Unmarshal(raw, &prop); err != nil {
				exact = false
				n += p.enc.count(string(raw))
				continue
			}
			typ, isString := prop.Type.(string)
			if !isString || prop.Properties != nil || prop.Items != nil {
				// Nested schemas and type unions are rendered in ways the
				// cookbook does not cover.
				exact = false
				if !isString {
					b, _ := json.Marshal(prop.Type)
					typ = string(b)
				}
			}
			if prop.Enum != nil {
				n += enumInit
				for _, item := range prop.Enum {
					s, ok := item.(string)
					if !ok {
						exact = false
						s = fmt.Sprint(item)
					}
					n += enumItem + p.enc.count(s)
				}
			}
			n += p.enc.count(name + ":" + typ + ":" + strings.TrimSuffix(prop.Description, "."))
		}
	}
	n += funcEnd
	return n, exact
}

// imageTokens counts one image by rule. It reports false when the count is
// an estimate: the rule is not documented exactly, or the size is unknown
// (then a 1024x1024 image is assumed).
func imageTokens(rule *imageRule, img Image) (int, bool) {
	if rule == nil {
		rule = estimateProfile.image
		return imageTokensByRule(rule, img), false
	}
	exact := rule.exact
	if img.Width <= 0 || img.Height <= 0 {
		if rule.patch == 0 && strings.EqualFold(img.Detail, "low") {
			return rule.base, exact
		}
		img.Width, img.Height = 1024, 1024
		exact = false
	}
	return imageTokensByRule(rule, img), exact
}

func imageTokensByRule(rule *imageRule, img Image) int {
	w, h := float64(img.Width), float64(img.Height)
	if rule.patch > 0 {
		// 32px patches, at most 1536, the image scaled down to fit.
		const size, limit = 32.0, 1536.0
		patches := math.Ceil(w/size) * math.Ceil(h/size)
		if patches > limit {
			r := math.Sqrt(size * size * limit / (w * h))
			r *= min(math.Floor(w*r/size)/(w*r/size), math.Floor(h*r/size)/(h*r/size))
			patches = math.Ceil(math.Floor(w*r)/size) * math.Ceil(math.Floor(h*r)/size)
		}
		return int(math.Ceil(min(patches, limit) * rule.patch))
	}
	if strings.EqualFold(img.Detail, "low") {
		return rule.base
	}
	// Fit in 2048x2048, then scale the shortest side down to 768, then
	// count 512px tiles.
	if m := max(w, h); m > 2048 {
		w, h = math.Floor(w*2048/m), math.Floor(h*2048/m)
	}
	if m := min(w, h); m > 768 {
		w, h = math.Floor(w*768/m), math.Floor(h*768/m)
	}
	tiles := int(math.Ceil(w/512) * math.Ceil(h/512))
	return rule.base + rule.tile*tiles
}
