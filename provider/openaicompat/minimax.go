package openaicompat

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/llmux/llm"
	"github.com/tidwall/gjson"
)

// MiniMax's M2 models answer with their reasoning inside the content,
// between <think> and </think>, unless the request sets reasoning_split
// (in Extra), which returns it in the message's reasoning_details instead;
// either way the reasoning must go back with the history
// (https://platform.minimax.io/docs/api-reference/text-openai-api).
//
// The tags are split out of the content into ReasoningContent, streamed and
// not, by the same splitter, so both give the same text: a tag split
// between chunks is found, the newlines next to the tags are dropped, and
// what is held back while a tag may be starting is sent on the next chunk,
// or with the finish reason. reasoning_details texts go to ReasoningContent
// too. On the way back, an assistant message's ReasoningContent is put back
// in front of its content in <think> tags.

const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// thinkSplitter splits a text fed piece by piece into content and
// reasoning. Its output does not depend on where the pieces are cut.
type thinkSplitter struct {
	in      bool   // inside <think>
	trim    bool   // drop the newlines that follow a tag
	pending string // held back: what may start a tag, or newlines that may precede </think>
}

// idle reports that the splitter holds nothing and is outside a tag, so
// text without '<' passes through unchanged.
func (s *thinkSplitter) idle() bool { return !s.in && !s.trim && s.pending == "" }

// feed splits text, appending to content and reasoning.
func (s *thinkSplitter) feed(text string, content, reasoning *strings.Builder) {
	buf := s.pending + text
	s.pending = ""
	for buf != "" {
		if s.trim {
			buf = strings.TrimLeft(buf, "\n")
			if buf == "" {
				return
			}
			s.trim = false
		}
		if !s.in {
			if i := strings.Index(buf, thinkOpen); i >= 0 {
				content.WriteString(buf[:i])
				buf, s.in, s.trim = buf[i+len(thinkOpen):], true, true
				continue
			}
			k := len(buf) - partialTag(buf, thinkOpen)
			content.WriteString(buf[:k])
			s.pending = buf[k:]
			return
		}
		if i := strings.Index(buf, thinkClose); i >= 0 {
			reasoning.WriteString(strings.TrimRight(buf[:i], "\n"))
			buf, s.in, s.trim = buf[i+len(thinkClose):], false, true
			continue
		}
		t := strings.TrimRight(buf[:len(buf)-partialTag(buf, thinkClose)], "\n")
		reasoning.WriteString(t)
		s.pending = buf[len(t):]
		return
	}
}

// flush sends what is held back, at the end of the text: inside an
// unclosed <think> it is reasoning, else content.
func (s *thinkSplitter) flush(content, reasoning *strings.Builder) {
	if s.in {
		reasoning.WriteString(strings.TrimRight(s.pending, "\n"))
	} else {
		content.WriteString(s.pending)
	}
	s.pending = ""
}

// partialTag returns the length of the longest end of buf that begins tag
// without completing it.
func partialTag(buf, tag string) int {
	for k := min(len(tag)-1, len(buf)); k > 0; k-- {
		if strings.HasSuffix(buf, tag[:k]) {
			return k
		}
	}
	return 0
}

// splitThink splits a whole text.
func splitThink(text string) (content, reasoning string) {
	var s thinkSplitter
	var c, r strings.Builder
	s.feed(text, &c, &r)
	s.flush(&c, &r)
	return c.String(), r.String()
}

// reasoningDetails joins the texts of the reasoning_details at path of raw.
func reasoningDetails(raw []byte, path string) string {
	var b strings.Builder
	gjson.GetBytes(raw, path).ForEach(func(_, d gjson.Result) bool {
		b.WriteString(d.Get("text").String())
		return true
	})
	return b.String()
}

func minimaxAmend(raw []byte, r *llm.CompletionResponse) {
	details := bytes.Contains(raw, []byte(`"reasoning_details"`))
	for i := range r.Choices {
		m := &r.Choices[i].Message
		if m.Content.Parts == nil && strings.Contains(m.Content.Text, thinkOpen) {
			text, reasoning := splitThink(m.Content.Text)
			m.Content = llm.Text(text)
			m.ReasoningContent += reasoning
		}
		if details && m.ReasoningContent == "" {
			m.ReasoningContent = reasoningDetails(raw, "choices."+strconv.Itoa(i)+".message.reasoning_details")
		}
	}
}

func minimaxAmendStream() func([]byte, *llm.Chunk) {
	var splitters map[int]*thinkSplitter
	return func(raw []byte, c *llm.Chunk) {
		details := bytes.Contains(raw, []byte(`"reasoning_details"`))
		for i := range c.Choices {
			ch := &c.Choices[i]
			d := &ch.Delta
			if details {
				d.ReasoningContent += reasoningDetails(raw, "choices."+strconv.Itoa(i)+".delta.reasoning_details")
			}
			s := splitters[ch.Index]
			if s == nil {
				if !strings.Contains(d.Content, "<") {
					continue // the common case: no tag, nothing held
				}
				if splitters == nil {
					splitters = map[int]*thinkSplitter{}
				}
				s = new(thinkSplitter)
				splitters[ch.Index] = s
			}
			if s.idle() && !strings.Contains(d.Content, "<") && ch.FinishReason == "" {
				continue
			}
			var content, reasoning strings.Builder
			s.feed(d.Content, &content, &reasoning)
			if ch.FinishReason != "" {
				s.flush(&content, &reasoning)
			}
			d.Content = content.String()
			d.ReasoningContent += reasoning.String()
		}
	}
}

// minimaxPrepare puts an assistant message's reasoning back in front of its
// text in <think> tags, as MiniMax asks of a history, unless the text has
// them already. It copies the messages it changes.
func minimaxPrepare(r *llm.CompletionRequest, _ *llm.Config) error {
	var msgs []llm.Message
	for i := range r.Messages {
		m := &r.Messages[i]
		if m.Role != llm.RoleAssistant || m.ReasoningContent == "" || m.Content.Parts != nil || strings.Contains(m.Content.Text, thinkOpen) {
			continue
		}
		if msgs == nil {
			msgs = make([]llm.Message, len(r.Messages))
			copy(msgs, r.Messages)
		}
		msgs[i].Content = llm.Text(thinkOpen + "\n" + m.ReasoningContent + "\n" + thinkClose + "\n\n" + m.Content.Text)
	}
	if msgs != nil {
		r.Messages = msgs
	}
	return nil
}
