package replicate

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/sse"
	"github.com/tidwall/gjson"
)

// CompletionStream implements llm.Streamer: it creates a prediction, then
// reads the server-sent events of the prediction's stream URL (urls.stream)
// and, after the done event, fetches the prediction once more for its
// final status and token counts. A model that does not stream (no stream
// URL) is polled to its end and its output yielded as one chunk.
func (p *Provider) CompletionStream(ctx context.Context, req *llm.CompletionRequest, cfg *llm.Config) iter.Seq2[*llm.Chunk, error] {
	return func(yield func(*llm.Chunk, error) bool) {
		t, err := parseTarget(req.Model)
		if err != nil {
			yield(nil, err)
			return
		}
		body, err := encodeRequest(req, cfg, t)
		if err != nil {
			yield(nil, err)
			return
		}
		c, err := newConn(cfg)
		if err != nil {
			yield(nil, err)
			return
		}
		pred, header, _, err := c.create(ctx, t, body, false)
		if err != nil {
			yield(nil, err)
			return
		}
		s := &streamer{c: c, t: t, pred: pred, meta: &llm.Meta{Header: header}}
		if pred.URLs.Stream == "" || terminal(pred.Status) {
			s.whole(ctx, yield)
			return
		}
		s.stream(ctx, yield)
	}
}

// streamer is the state of one stream.
type streamer struct {
	c       *conn
	t       target
	pred    *prediction
	meta    *llm.Meta
	started bool // a chunk has been yielded
}

func (s *streamer) chunk() (*llm.Chunk, *llm.ChunkChoice) {
	c := &llm.Chunk{ID: s.pred.ID, Object: "chat.completion.chunk", Created: created(s.pred.CreatedAt),
		Model: modelOf(s.pred, s.t), Meta: s.meta, Choices: make([]llm.ChunkChoice, 1)}
	ch := &c.Choices[0]
	if !s.started {
		ch.Delta.Role = llm.RoleAssistant
		s.started = true
	}
	return c, ch
}

// last is the final chunk of a stream whose prediction ended as final did
// (nil: its final state is unknown).
func (s *streamer) last(final *prediction) *llm.Chunk {
	c, ch := s.chunk()
	ch.FinishReason = llm.FinishStop
	p := s.pred
	if final != nil {
		p = final
		c.Usage = toUsage(final.Metrics)
	}
	ch.Delta.ProviderSpecificFields = extras(p)
	if c.Usage == nil {
		s.meta.Cost = unknownCost(c.Model)
	}
	return c
}

// whole serves a prediction without a stream URL: it waits for its end and
// yields its output as one chunk, then the last chunk.
func (s *streamer) whole(ctx context.Context, yield func(*llm.Chunk, error) bool) {
	pred := s.pred
	if !terminal(pred.Status) {
		var err error
		if pred, _, _, err = s.c.wait(ctx, pred); err != nil {
			yield(nil, err)
			return
		}
	}
	if pred.Status != statusSucceeded {
		yield(nil, failure(pred))
		return
	}
	text, err := outputText(pred.Output)
	if err != nil {
		yield(nil, err)
		return
	}
	c, ch := s.chunk()
	ch.Delta.Content = text
	if !yield(c, nil) {
		return
	}
	yield(s.last(pred), nil)
}

// stream reads the prediction's stream URL. Replicate's events (documented
// by its SDKs: replicate-python's stream.py ServerSentEvent.EventType and
// replicate-javascript's lib/stream.js) are output (data: the next piece of
// text), logs (the model's log lines, skipped), error (data: the error
// message; the stream ends) and done (data: a JSON object, "{}" for a
// prediction that succeeded).
func (s *streamer) stream(ctx context.Context, yield func(*llm.Chunk, error) bool) {
	done := false // the prediction ended (or is known to have)
	defer func() {
		if !done { // the caller stopped early, the stream failed or ctx ended
			s.c.cancel(ctx, s.pred.ID)
		}
	}()
	resp, err := s.open(ctx)
	if err != nil {
		yield(nil, err)
		return
	}
	closed := false
	closeBody := func() {
		if !closed {
			closed = true
			resp.Body.Close()
		}
	}
	defer closeBody()
	body, raw, err := httpx.StreamBody(resp, s.c.cfg.MaxResponseBytes)
	if err == nil && raw != nil && isEnvelope(raw) {
		err = errorFromBody(0, resp.Header, raw) // an error envelope in a 200 answer
	}
	if err != nil {
		yield(nil, err)
		return
	}
	dec := sse.NewDecoder(body)
	dec.SetMaxEventSize(s.c.cfg.MaxEventBytes)
	for {
		ev, err := dec.Next()
		if err == io.EOF {
			yield(nil, &llm.Error{Kind: llm.KindBadResponse, Message: "the stream ended before its done event", Err: io.ErrUnexpectedEOF})
			return
		}
		if err != nil {
			yield(nil, err)
			return
		}
		switch string(ev.Type) {
		case "output":
			if len(ev.Data) == 0 {
				continue
			}
			c, ch := s.chunk()
			ch.Delta.Content = validText(ev.Data)
			if !yield(c, nil) {
				return
			}
		case "logs", "":
			// Log lines, and comments or retry fields without an event name.
		case "error":
			done = true // the prediction failed: nothing left to cancel
			yield(nil, streamError(ev.Data))
			return
		case "done":
			reason, err := doneReason(ev.Data)
			if err != nil {
				yield(nil, err)
				return
			}
			done = true
			// Read the end of the body so that the connection is reused,
			// then fetch the final state for the token counts.
			httpx.Drain(body)
			closeBody()
			final, _, _, ferr := s.c.get(ctx, s.pred.ID)
			if ferr != nil || !terminal(final.Status) {
				final = nil // the text is complete; only the usage is missing
			}
			switch {
			case final != nil && final.Status != statusSucceeded:
				yield(nil, failure(final))
			case final == nil && reason != "":
				yield(nil, reasonError(s.pred.ID, reason))
			default:
				yield(s.last(final), nil)
			}
			return
		default:
			// An event this translator does not know: kept raw, so that a
			// new kind of event never fails a stream.
			c, ch := s.chunk()
			ch.Delta.ProviderSpecificFields = map[string]any{"event": RawEvent{Event: string(ev.Type), Data: string(ev.Data)}}
			if !yield(c, nil) {
				return
			}
		}
	}
}

// RawEvent is a stream event of a type this translator does not know,
// kept in the chunk's Delta.ProviderSpecificFields["event"].
type RawEvent struct {
	Event string `json:"event"`
	Data  string `json:"data"`
}

// open requests the prediction's stream.
func (s *streamer) open(ctx context.Context) (*http.Response, error) {
	u, err := s.streamURL()
	if err != nil {
		return nil, err
	}
	h := s.c.cfg.NewHeader()
	h.Set("Accept", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	if s.trusted(u) {
		h.Set("Authorization", "Bearer "+s.c.key)
	}
	resp, err := httpx.Do(ctx, s.c.cfg.HTTPClient, httpx.Request{Method: http.MethodGet, URL: u.String(), Header: h})
	if err != nil {
		return nil, classify(err)
	}
	return resp, nil
}

// streamURL checks the prediction's stream URL: an absolute http(s) URL,
// https when the API is reached over https.
func (s *streamer) streamURL() (*url.URL, error) {
	u, err := url.Parse(s.pred.URLs.Stream)
	bad := func(why string) (*url.URL, error) {
		return nil, &llm.Error{Kind: llm.KindBadResponse, Message: "prediction " + s.pred.ID + ": the stream URL " + why}
	}
	switch {
	case err != nil:
		return bad("does not parse")
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return bad("is not an absolute http(s) URL")
	case u.Scheme == "http" && strings.HasPrefix(s.c.base, "https:"):
		return bad("is not https while the API is")
	}
	return u, nil
}

// trusted reports whether the API token goes with the stream request: to
// the configured API host, or from Replicate's own API to its streaming
// hosts (*.replicate.com, *.replicate.net), over https. Elsewhere the
// stream URL, which is unguessable, is requested without it, as
// replicate-javascript does.
func (s *streamer) trusted(u *url.URL) bool {
	base, err := url.Parse(s.c.base)
	if err != nil {
		return false
	}
	if u.Scheme == base.Scheme && u.Host == base.Host {
		return true
	}
	if s.c.base != DefaultBaseURL || u.Scheme != "https" {
		return false
	}
	h := u.Hostname()
	return h == "replicate.com" || strings.HasSuffix(h, ".replicate.com") || strings.HasSuffix(h, ".replicate.net")
}

// streamError is the error of an error event: its data is the error
// message (replicate-javascript's tests send "An unexpected error
// occurred"), or a problem-details object.
func streamError(data []byte) *llm.Error {
	if gjson.ValidBytes(data) && gjson.ParseBytes(data).IsObject() {
		return errorFromBody(0, nil, data)
	}
	msg := validText(data)
	if msg == "" {
		msg = "the prediction failed"
	}
	return &llm.Error{Kind: failureKind(msg), Message: msg}
}

// doneReason reads a done event's data, a JSON object; its "reason", when
// set, says why a prediction ended without succeeding.
func doneReason(data []byte) (string, error) {
	var d struct {
		Reason string `json:"reason"`
	}
	if len(data) == 0 {
		return "", nil
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return "", badResponse(err, data)
	}
	return d.Reason, nil
}

// reasonError is the error of a done event with a reason, for a prediction
// whose final state could not be fetched.
func reasonError(id, reason string) *llm.Error {
	if reason == statusCanceled {
		return &llm.Error{Kind: llm.KindCanceled, Code: reason, Message: "prediction " + id + " was canceled"}
	}
	return &llm.Error{Kind: llm.KindServer, Code: reason, Message: "prediction " + id + " ended: " + reason}
}
