package providertest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/providertest"
)

func TestFixture(t *testing.T) {
	t.Parallel()
	if got := string(providertest.Fixture(t, "hello.txt")); got != "hello\n" {
		t.Fatalf("Fixture = %q, want %q", got, "hello\n")
	}
}

func TestSSE(t *testing.T) {
	t.Parallel()
	if got, want := string(providertest.SSE(map[string]int{"a": 1})), "data: {\"a\":1}\n\n"; got != want {
		t.Fatalf("SSE = %q, want %q", got, want)
	}
}

func post(t *testing.T, url, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url+"/p", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServer(t *testing.T) {
	t.Parallel()
	var gotPath, gotBody string
	srv, hits := providertest.Server(t, func(t *testing.T, r *http.Request, body []byte) {
		gotPath, gotBody = r.URL.Path, string(body)
	}, "application/json", []byte(`{"ok":true}`), "X-Extra", "1")
	resp, body := post(t, srv.URL, "ping")
	if gotPath != "/p" || gotBody != "ping" {
		t.Errorf("check saw %q %q, want /p ping", gotPath, gotBody)
	}
	if body != `{"ok":true}` || resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("X-Extra") != "1" {
		t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
	post(t, srv.URL, "")
	if got := hits.Load(); got != 2 {
		t.Errorf("hits = %d, want 2", got)
	}
}

func TestRecorder(t *testing.T) {
	t.Parallel()
	rec := providertest.NewRecorder(t, 418, "text/plain", []byte("teapot"))
	if r, b := rec.Last(); r != nil || b != nil {
		t.Fatalf("Last before any request = %v %q, want nil", r, b)
	}
	resp, body := post(t, rec.URL, "brew")
	if resp.StatusCode != 418 || body != "teapot" || resp.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
	r, b := rec.Last()
	if r == nil || r.URL.Path != "/p" || string(b) != "brew" {
		t.Errorf("Last = %v %q, want /p brew", r, b)
	}
}

func TestBenchServer(t *testing.T) {
	t.Parallel()
	srv := providertest.BenchServer(t, "text/event-stream", []byte("data: x\n\n"))
	resp, body := post(t, srv.URL, "ignored")
	if body != "data: x\n\n" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("got %v %q", resp.Header, body)
	}
}

func TestClient(t *testing.T) {
	t.Parallel()
	c := providertest.Client(503, http.Header{"Content-Type": {"text/plain"}}, []byte("busy"))
	for range 2 { // each response reads the body afresh
		resp, body := func() (*http.Response, string) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://nowhere.invalid/", nil)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}()
		if resp.StatusCode != 503 || body != "busy" || resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
		}
	}
}

func TestConnServer(t *testing.T) {
	t.Parallel()
	srv, conns := providertest.ConnServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	for range 3 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("conns = %d, want 1 (a drained body leaves the connection for reuse)", got)
	}
}

// FuzzSeed checks that Seed adds the fixture: go test runs the seed corpus
// only, which must be exactly the fixture. (Not meant for -fuzz.)
func FuzzSeed(f *testing.F) {
	providertest.Seed(f, "hello.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		if string(b) != "hello\n" {
			t.Fatalf("seed = %q, want %q", b, "hello\n")
		}
	})
}

func TestStreamChoices(t *testing.T) {
	t.Parallel()
	req := llm.CompletionRequest{Model: "mock/m", Messages: []llm.Message{llm.UserText("hi")}}
	c := llm.NewClient(llm.WithMockResponse(llm.MockResponse{Content: "a b c"}))
	n, err := providertest.StreamChoices(t.Context(), c, req)
	// The role chunk, a chunk a word, the finish chunk; the usage chunk has none.
	if err != nil || n != 5 {
		t.Errorf("StreamChoices = %d, %v; want 5, nil", n, err)
	}
	boom := &llm.Error{Kind: llm.KindServer, Message: "boom"}
	c = llm.NewClient(llm.WithMockResponse(llm.MockResponse{Content: "a b c", Err: boom, ErrAfterChunks: 2}))
	n, err = providertest.StreamChoices(t.Context(), c, req)
	if !errors.Is(err, boom) || n != 2 {
		t.Errorf("StreamChoices = %d, %v; want 2, %v", n, err, boom)
	}
}

func TestFloorSSE(t *testing.T) {
	t.Parallel()
	type event struct {
		N int `json:"n"`
	}
	var got []int
	body := "event: x\ndata: {\"n\":1}\n\n: comment\ndata: {\"n\":2}\r\n\r\ndata: [DONE]\n\ndata: {\"n\":3}\n\n"
	err := providertest.FloorSSE(strings.NewReader(body), func(e *event) { got = append(got, e.N) })
	if err != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("FloorSSE saw %v, %v; want [1 2], nil (stopping at [DONE])", got, err)
	}
	err = providertest.FloorSSE(strings.NewReader("data: {\"n\":\"x\"}\n\n"), func(*event) {})
	if err == nil {
		t.Error("FloorSSE of a bad event: no error")
	}
}

// FuzzEncode runs FuzzEncode over an encoder that re-marshals the request
// and rejects requests without a model with an *llm.Error.
func FuzzEncode(f *testing.F) {
	f.Add([]byte(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`))
	f.Add([]byte(`{"messages":[]}`))
	providertest.FuzzEncode(f, func(req *llm.CompletionRequest) ([]byte, error) {
		if req.Model == "" {
			return nil, &llm.Error{Kind: llm.KindInvalidRequest, Message: "no model"}
		}
		return json.Marshal(req)
	})
}

func TestChatCompletion(t *testing.T) {
	t.Parallel()
	u := llm.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}
	var resp llm.CompletionResponse
	if err := json.Unmarshal(providertest.ChatCompletion("m", "hi", u), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Model != "m" || resp.Text() != "hi" || resp.Usage == nil || *resp.Usage != u || resp.Choices[0].FinishReason != "stop" {
		t.Errorf("got %+v", resp)
	}
	frames := providertest.ChatCompletionChunks("m")([]string{"a", "b"}, u)
	if len(frames) != 6 || string(frames[5]) != "data: [DONE]\n\n" {
		t.Fatalf("got %d frames, last %q; want 6 ending in [DONE]", len(frames), frames[len(frames)-1])
	}
	var text string
	for _, f := range frames[:5] {
		var c llm.Chunk
		if err := json.Unmarshal(bytes.TrimSuffix(bytes.TrimPrefix(f, []byte("data: ")), []byte("\n\n")), &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, ch := range c.Choices {
			text += ch.Delta.Content
		}
		if c.Usage != nil && *c.Usage != u {
			t.Errorf("usage %+v, want %+v", *c.Usage, u)
		}
	}
	if text != "ab" {
		t.Errorf("text %q, want ab", text)
	}
}
