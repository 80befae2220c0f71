package bedrock_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/llmux/llm"
	"github.com/llmux/llm/provider/bedrock"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pngBytes is the start of a PNG file (its signature and IHDR chunk).
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// mediaServer serves the files a request links to, as a web server would.
func mediaServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Empty(t, r.Header.Get("Authorization"), "no credentials go to the media host")
		assert.Empty(t, r.Header.Get("X-Amz-Security-Token"))
		switch r.URL.Path {
		case "/cat.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngBytes)
		case "/noctype/photo.png": // no Content-Type: sniffed / by extension
			w.Header()["Content-Type"] = nil
			_, _ = w.Write(pngBytes)
		case "/report.pdf":
			w.Header().Set("Content-Type", "application/pdf")
			_, _ = w.Write([]byte("%PDF-1.7 report"))
		case "/page.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html>not an image</html>"))
		case "/huge.png":
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Content-Length", strconv.Itoa(bedrock.MaxDownloadBytes+1))
			_, _ = w.Write(pngBytes) // the length alone refuses it
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestHTTPMedia: Bedrock takes media as bytes or s3:// URIs only, so http(s)
// image URLs and file ids are downloaded with the caller's ctx and HTTP
// client (no credentials sent), capped at MaxDownloadBytes, and sent as
// bytes, as LiteLLM does; a URL that fails, is too large or (for an image
// part) is not an image is KindInvalidRequest, before Bedrock is called.
func TestHTTPMedia(t *testing.T) {
	t.Parallel()
	media, mediaHits := mediaServer(t)
	var body map[string]json.RawMessage
	srv, hits := server(t, func(t *testing.T, _ *http.Request, b []byte) {
		body = nil
		require.NoError(t, json.Unmarshal(b, &body))
	}, "application/json", providertest.Fixture(t, "tools.response.json"))
	send := func(ctx context.Context, parts ...llm.Part) (llm.CompletionRequest, error) {
		req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserParts(parts...)}}
		_, err := llm.Completion(ctx, req, append(testOptions(srv.URL), llm.WithHTTPClient(media.Client()))...)
		return req, err
	}
	b64 := base64.StdEncoding.EncodeToString
	req, err := send(t.Context(),
		llm.ImagePart(media.URL+"/cat.png?X-Amz-Signature=secret", ""),
		llm.ImagePart(media.URL+"/noctype/photo.png", ""),
		llm.Part{Type: llm.PartFile, File: &llm.File{FileID: media.URL + "/report.pdf"}},
	)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"role":"user","content":[
		{"image":{"format":"png","source":{"bytes":"`+b64(pngBytes)+`"}}},
		{"image":{"format":"png","source":{"bytes":"`+b64(pngBytes)+`"}}},
		{"document":{"format":"pdf","name":"report","source":{"bytes":"`+b64([]byte("%PDF-1.7 report"))+`"}}}]}]`, string(body["messages"]))
	assert.Equal(t, media.URL+"/cat.png?X-Amz-Signature=secret", req.Messages[0].Content.Parts[0].ImageURL.URL, "the caller's request is not modified")
	assert.Equal(t, media.URL+"/report.pdf", req.Messages[0].Content.Parts[2].File.FileID)

	n := hits.Load()
	for name, c := range map[string]struct {
		part llm.Part
		kind error
	}{
		"404":          {llm.ImagePart(media.URL+"/missing.png?token=secret", ""), llm.ErrInvalidRequest},
		"too large":    {llm.ImagePart(media.URL+"/huge.png", ""), llm.ErrInvalidRequest},
		"not an image": {llm.ImagePart(media.URL+"/page.html", ""), llm.ErrInvalidRequest},
		"unreachable":  {llm.ImagePart("http://127.0.0.1:1/cat.png", ""), llm.ErrInvalidRequest},
		"file 404":     {llm.Part{Type: llm.PartFile, File: &llm.File{FileID: media.URL + "/gone.pdf"}}, llm.ErrInvalidRequest},
	} {
		_, err := send(t.Context(), c.part)
		require.ErrorIs(t, err, c.kind, name)
		assert.NotContains(t, err.Error(), "secret", "%s: a URL's query never appears in errors", name)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	before := mediaHits.Load()
	_, err = send(ctx, llm.ImagePart(media.URL+"/cat.png", ""))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, before, mediaHits.Load(), "a cancelled call downloads nothing")
	assert.Equal(t, n, hits.Load(), "bad media fails before any request to Bedrock")
}

// TestHTTPMediaStream: the stream downloads the same way.
func TestHTTPMediaStream(t *testing.T) {
	t.Parallel()
	media, _ := mediaServer(t)
	srv, _ := server(t, func(t *testing.T, _ *http.Request, b []byte) {
		assert.Contains(t, string(b), base64.StdEncoding.EncodeToString(pngBytes))
	}, bedrock.EventStreamContentType, binFixture(t, "tools"))
	req := llm.CompletionRequest{Model: "bedrock/" + claude, Messages: []llm.Message{llm.UserParts(llm.ImagePart(media.URL+"/cat.png", ""))}}
	_, err := llm.Collect(llm.CompletionStream(t.Context(), req, append(testOptions(srv.URL), llm.WithHTTPClient(media.Client()))...))
	require.NoError(t, err)
}
