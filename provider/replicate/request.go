package replicate

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/jsonx"
	"github.com/llmux/llm/internal/providerkit"
)

// createRequest is the body of a create request: the model's input, and the
// version for POST /v1/predictions. (The "stream" field is deprecated and
// not sent: a prediction of a model that streams always has urls.stream.)
type createRequest struct {
	Version string          `json:"version,omitempty"`
	Input   json.RawMessage `json:"input"`
}

// input is the input most of Replicate's language models take. Each model
// has its own input schema; models ignore inputs they do not declare.
type input struct {
	Prompt       string `json:"prompt"`
	SystemPrompt string `json:"system_prompt,omitempty"`
	// MaxTokens is the name today's official models use; MaxNewTokens the
	// one of older models (Llama 2 and the cog-llama template). Both carry
	// the same value.
	MaxTokens        int      `json:"max_tokens,omitempty"`
	MaxNewTokens     int      `json:"max_new_tokens,omitempty"`
	Temperature      *float64 `json:"temperature,omitempty"`
	TopP             *float64 `json:"top_p,omitempty"`
	Seed             *int64   `json:"seed,omitempty"`
	PresencePenalty  *float64 `json:"presence_penalty,omitempty"`
	FrequencyPenalty *float64 `json:"frequency_penalty,omitempty"`
	// StopSequences is a comma-separated list.
	StopSequences string `json:"stop_sequences,omitempty"`
}

func invalid(format string, args ...any) *llm.Error {
	return llm.Errorf(llm.KindInvalidRequest, format, args...)
}

// encodeRequest translates req into the body of a create request for t.
func encodeRequest(req *llm.CompletionRequest, cfg *llm.Config, t target) ([]byte, error) {
	if err := refuse(req, cfg.DropUnsupportedParams); err != nil {
		return nil, err
	}
	in := input{Temperature: req.Temperature, TopP: req.TopP, Seed: req.Seed,
		PresencePenalty: req.PresencePenalty, FrequencyPenalty: req.FrequencyPenalty}
	in.MaxTokens = req.MaxTokens
	if req.MaxCompletionTokens > 0 {
		in.MaxTokens = req.MaxCompletionTokens
	}
	in.MaxNewTokens = in.MaxTokens
	for _, s := range req.Stop {
		if strings.Contains(s, ",") {
			if cfg.DropUnsupportedParams {
				continue
			}
			return nil, llm.UnsupportedParam(fmt.Sprintf("stop sequence %q", s), "Replicate's models take stop sequences as one comma-separated string")
		}
		if in.StopSequences != "" {
			in.StopSequences += ","
		}
		in.StopSequences += s
	}
	var err error
	if in.SystemPrompt, in.Prompt, err = encodeMessages(req.Messages); err != nil {
		return nil, err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, invalid("cannot encode the request: %v", err)
	}
	// Extra holds more of the model's inputs (top_k, prompt_template,
	// image...): the create body itself takes no other field.
	if b, err = jsonx.MergeObject(b, req.Extra); err != nil {
		return nil, invalid("cannot merge Extra into the input: %v", err)
	}
	body, err := json.Marshal(createRequest{Version: t.version, Input: b})
	if err != nil {
		return nil, invalid("cannot encode the request: %v", err)
	}
	return body, nil
}

// refuse fails a request that asks for what a prompt-in, text-out model
// cannot do, unless drop is set.
func refuse(req *llm.CompletionRequest, drop bool) error {
	if err := providerkit.NoServerTools(req, drop, ""); err != nil {
		return err // a server tool (web search...): named by its type
	}
	if drop {
		return nil
	}
	const why = "Replicate's language models take a prompt and answer with text"
	switch {
	case len(req.Tools) > 0 || req.ToolChoice != nil:
		return llm.UnsupportedParam("tools", why)
	case req.ResponseFormat != nil && req.ResponseFormat.Type != "" && req.ResponseFormat.Type != "text":
		return llm.UnsupportedParam("response_format "+req.ResponseFormat.Type, why+"; describe the format in the prompt")
	case req.N > 1:
		return llm.UnsupportedParam("n > 1", "a prediction has one answer")
	case req.Logprobs || req.TopLogprobs != nil:
		return llm.UnsupportedParam("logprobs", why)
	case len(req.LogitBias) > 0:
		return llm.UnsupportedParam("logit_bias", why)
	case len(req.Modalities) > 0 && !(len(req.Modalities) == 1 && req.Modalities[0] == "text"), req.Audio != nil:
		return llm.UnsupportedParam("audio output", why)
	case req.WebSearchOptions != nil:
		return llm.UnsupportedParam("web_search_options", "Replicate has no server-side web search")
	case req.ReasoningEffort != "":
		return llm.UnsupportedParam("reasoning_effort", "each Replicate model has its own reasoning input, if any: pass it in Extra")
	}
	return nil
}

// encodeMessages turns the conversation into a system prompt and a prompt.
// System and developer messages become the system prompt (joined by blank
// lines). A conversation of one user message is its text; a longer one is a
// transcript ("User: ...", "Assistant: ...", each turn after a blank line)
// ending with "Assistant:" for the model to continue, since Replicate's
// models take one prompt and apply their own chat template to it.
func encodeMessages(msgs []llm.Message) (system, prompt string, err error) {
	var sys []string
	type turn struct {
		role llm.Role
		text string
	}
	var turns []turn
	for i := range msgs {
		m := &msgs[i]
		text, err := messageText(m, i)
		if err != nil {
			return "", "", err
		}
		switch m.Role {
		case llm.RoleSystem, llm.RoleDeveloper:
			sys = append(sys, text)
		case llm.RoleUser, llm.RoleAssistant:
			if len(m.ToolCalls) > 0 {
				return "", "", llm.UnsupportedParam(fmt.Sprintf("messages[%d].tool_calls", i), "Replicate's language models have no tool calls")
			}
			turns = append(turns, turn{m.Role, text})
		case llm.RoleTool:
			return "", "", llm.UnsupportedParam(fmt.Sprintf("messages[%d] (a tool result)", i), "Replicate's language models have no tool calls")
		default:
			return "", "", invalid("messages[%d]: unknown role %q", i, m.Role)
		}
	}
	if len(turns) == 0 {
		return "", "", invalid("messages: no user message: Replicate's models need a prompt")
	}
	system = strings.Join(sys, "\n\n")
	if len(turns) == 1 && turns[0].role == llm.RoleUser {
		return system, turns[0].text, nil
	}
	var b strings.Builder
	for _, t := range turns {
		if t.role == llm.RoleUser {
			b.WriteString("User: ")
		} else {
			b.WriteString("Assistant: ")
		}
		b.WriteString(t.text)
		b.WriteString("\n\n")
	}
	b.WriteString("Assistant:")
	return system, b.String(), nil
}

// messageText is a message's text: its content string, or its text parts
// joined. Image, audio and file parts are refused: each model takes media
// under an input of its own (image, image_input, audio...), which Extra
// can set.
func messageText(m *llm.Message, i int) (string, error) {
	if m.Content.Parts == nil {
		return m.Content.Text, nil
	}
	var b strings.Builder
	for j, p := range m.Content.Parts {
		switch p.Type {
		case llm.PartText:
			b.WriteString(p.Text)
		case llm.PartRefusal:
			b.WriteString(p.Refusal)
		default:
			return "", &llm.Error{Kind: llm.KindUnsupported, Code: "unsupported_parameter",
				Message: fmt.Sprintf("messages[%d].content[%d]: Replicate chat takes text only, not %s parts; pass media as the model's own input in Extra (such as \"image\")", i, j, p.Type)}
		}
	}
	return b.String(), nil
}
