package llm

import (
	"iter"
	"strings"
)

// Collect reads a stream to its end and folds its chunks into one response:
// per choice, the text, refusal and reasoning concatenated, the tool calls
// assembled from their index, id, name and argument fragments, thinking
// blocks and annotations appended, and the last finish reason; the usage and
// Meta (with cost) of the last chunk. On a stream error it returns what was
// assembled so far together with the error.
func Collect(stream iter.Seq2[*Chunk, error]) (*CompletionResponse, error) {
	var acc Accumulator
	for chunk, err := range stream {
		if err != nil {
			return acc.Response(), err
		}
		acc.Add(chunk)
	}
	return acc.Response(), nil
}

// maxChoices bounds the choice indexes Collect accepts.
const maxChoices = 1024

// Accumulator folds chunks into a response as they arrive, for callers that
// both print a stream and want the final message. The zero value is ready to
// use.
type Accumulator struct {
	resp    CompletionResponse
	choices []*choiceAcc
	meta    *Meta
}

type choiceAcc struct {
	content, refusal, reasoning strings.Builder
	msg                         Message
	finish                      string
	logprobs                    *Logprobs
	calls                       []*callAcc  // pointers: a strings.Builder must not be copied
	callIndex                   map[int]int // tool-call index → position in calls
}

// callAcc is a tool call being assembled. Its name and arguments grow in
// builders, so that folding n fragments costs O(n), not O(n²) as joining
// strings with += does.
type callAcc struct {
	call       ToolCall // ID, Type and ProviderSpecificFields; the function is in name and args
	name, args strings.Builder
}

// Add folds one chunk.
func (a *Accumulator) Add(c *Chunk) {
	if c == nil {
		return
	}
	r := &a.resp
	if r.ID == "" {
		r.ID = c.ID
	}
	if r.Model == "" {
		r.Model = c.Model
	}
	if r.Created == 0 {
		r.Created = c.Created
	}
	if c.SystemFingerprint != "" {
		r.SystemFingerprint = c.SystemFingerprint
	}
	if c.ServiceTier != "" {
		r.ServiceTier = c.ServiceTier
	}
	if c.Usage != nil {
		u := *c.Usage
		r.Usage = &u
	}
	if c.Meta != nil {
		a.meta = c.Meta
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index < 0 || ch.Index >= maxChoices {
			continue // not a choice any provider sends (OpenAI caps n at 128)
		}
		for len(a.choices) <= ch.Index {
			a.choices = append(a.choices, &choiceAcc{})
		}
		acc := a.choices[ch.Index]
		d := &ch.Delta
		if d.Role != "" {
			acc.msg.Role = d.Role
		}
		acc.content.WriteString(d.Content)
		acc.refusal.WriteString(d.Refusal)
		acc.reasoning.WriteString(d.ReasoningContent)
		acc.msg.ThinkingBlocks = append(acc.msg.ThinkingBlocks, d.ThinkingBlocks...)
		acc.msg.Annotations = append(acc.msg.Annotations, d.Annotations...)
		for k, v := range d.ProviderSpecificFields {
			if acc.msg.ProviderSpecificFields == nil {
				acc.msg.ProviderSpecificFields = map[string]any{}
			}
			acc.msg.ProviderSpecificFields[k] = v
		}
		for j := range d.ToolCalls {
			acc.addToolCall(&d.ToolCalls[j])
		}
		if ch.FinishReason != "" {
			acc.finish = ch.FinishReason
		}
		if ch.Logprobs != nil {
			if acc.logprobs == nil {
				acc.logprobs = &Logprobs{}
			}
			acc.logprobs.Content = append(acc.logprobs.Content, ch.Logprobs.Content...)
			acc.logprobs.Refusal = append(acc.logprobs.Refusal, ch.Logprobs.Refusal...)
		}
	}
}

func (acc *choiceAcc) addToolCall(d *ToolCallDelta) {
	if acc.callIndex == nil {
		acc.callIndex = map[int]int{}
	}
	pos, ok := acc.callIndex[d.Index]
	// A new id under an index already used by another call is a new call:
	// some servers (Mistral) send every whole call with index 0.
	if !ok || (d.ID != "" && acc.calls[pos].call.ID != "" && acc.calls[pos].call.ID != d.ID) {
		pos = len(acc.calls)
		acc.callIndex[d.Index] = pos
		acc.calls = append(acc.calls, &callAcc{call: ToolCall{Type: "function"}})
	}
	ca := acc.calls[pos]
	tc := &ca.call
	if d.ID != "" {
		tc.ID = d.ID
	}
	if d.Type != "" {
		tc.Type = d.Type
	}
	ca.name.WriteString(d.Function.Name)
	ca.args.WriteString(d.Function.Arguments)
	for k, v := range d.ProviderSpecificFields {
		if tc.ProviderSpecificFields == nil {
			tc.ProviderSpecificFields = map[string]any{}
		}
		tc.ProviderSpecificFields[k] = v
	}
}

// Response returns the response assembled so far.
func (a *Accumulator) Response() *CompletionResponse {
	r := a.resp
	r.Object = "chat.completion"
	r.Choices = make([]Choice, len(a.choices))
	for i := range a.choices {
		acc := a.choices[i]
		m := acc.msg
		if m.Role == "" {
			m.Role = RoleAssistant
		}
		m.Content = Text(acc.content.String())
		m.Refusal = acc.refusal.String()
		m.ReasoningContent = acc.reasoning.String()
		if len(acc.calls) > 0 {
			m.ToolCalls = make([]ToolCall, len(acc.calls))
			for j := range acc.calls {
				ca := acc.calls[j]
				tc := ca.call
				tc.Function = FunctionCall{Name: ca.name.String(), Arguments: ca.args.String()}
				m.ToolCalls[j] = tc
			}
		}
		r.Choices[i] = Choice{Index: i, Message: m, FinishReason: acc.finish, Logprobs: acc.logprobs}
	}
	if a.meta != nil {
		r.Meta = *a.meta
	}
	return &r
}
