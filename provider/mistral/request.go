package mistral

import (
	"hash/fnv"

	"github.com/llmux/llm"
)

// prepare brings a request to Mistral's shape: tool-call ids, roles, and
// file and audio parts (parts.go). It maps the tool-call ids of a
// conversation to the ids Mistral accepts: exactly nine letters or digits. An id already of that form is
// kept (Mistral's own); any other is replaced by nine characters derived
// from it by a hash, so that an assistant's tool call and the tool message
// answering it still match. Messages are copied only when an id changes.
func prepare(r *llm.CompletionRequest, _ *llm.Config) error {
	toolCallIDs(r)
	r.Messages = systemRole(r.Messages)
	return mistralParts(r)
}

// toolCallIDs maps the tool-call ids of r's messages (see prepare).
func toolCallIDs(r *llm.CompletionRequest) {
	var msgs []llm.Message
	for i := range r.Messages {
		m := &r.Messages[i]
		changed := m.ToolCallID != "" && !validID(m.ToolCallID)
		for _, tc := range m.ToolCalls {
			if !validID(tc.ID) {
				changed = true
			}
		}
		if !changed {
			continue
		}
		if msgs == nil {
			msgs = make([]llm.Message, len(r.Messages))
			copy(msgs, r.Messages)
		}
		c := *m
		if c.ToolCallID != "" {
			c.ToolCallID = ToolCallID(c.ToolCallID)
		}
		if c.ToolCalls != nil {
			c.ToolCalls = make([]llm.ToolCall, len(m.ToolCalls))
			for j, tc := range m.ToolCalls {
				tc.ID = ToolCallID(tc.ID)
				c.ToolCalls[j] = tc
			}
		}
		msgs[i] = c
	}
	if msgs != nil {
		r.Messages = msgs
	}
}

const idChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// ToolCallID returns the id Mistral is sent for a tool-call id: id itself
// when it is nine letters or digits, else nine such characters derived from
// it (the same for the same id).
func ToolCallID(id string) string {
	if validID(id) {
		return id
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	n := h.Sum64()
	var b [9]byte
	for i := range b {
		b[i] = idChars[n%uint64(len(idChars))]
		n /= uint64(len(idChars))
	}
	return string(b[:])
}

func validID(id string) bool {
	if len(id) != 9 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
