package bedrock

import (
	"context"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/httpx"
	"github.com/llmux/llm/internal/limit"
)

// MaxDownloadBytes caps each http(s) image or file a request links to, which
// the translator downloads (Bedrock takes bytes or s3:// URIs only): 20 MiB.
// Bedrock's own per-item limits (such as 3.75 MB for an image) still apply.
const MaxDownloadBytes = 20 << 20

// isHTTP reports an http(s) URL.
func isHTTP(u string) bool {
	return strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// fetchMedia returns req, or, when its messages link to http(s) images
// (image_url parts) or files (file parts whose file_id is a URL), a copy of
// it in which each such link is replaced by a base64 data URL of what it
// points to. The downloads use ctx and client (the caller's), send no
// credentials, and are capped at MaxDownloadBytes; req is not modified.
func fetchMedia(ctx context.Context, client *http.Client, req *llm.CompletionRequest) (*llm.CompletionRequest, error) {
	out := req
	for i := range req.Messages {
		parts := req.Messages[i].Content.Parts
		copied := false
		for j := range parts {
			p := &parts[j]
			image := p.Type == llm.PartImageURL && p.ImageURL != nil && isHTTP(p.ImageURL.URL)
			file := p.Type == llm.PartFile && p.File != nil && p.File.FileData == "" && isHTTP(p.File.FileID)
			if !image && !file {
				continue
			}
			if out == req {
				c := *req
				c.Messages = slices.Clone(req.Messages)
				out = &c
			}
			if !copied {
				out.Messages[i].Content.Parts = slices.Clone(parts)
				copied = true
			}
			np := &out.Messages[i].Content.Parts[j]
			if image {
				mt, data, err := download(ctx, client, p.ImageURL.URL, p.ImageURL.Format)
				if err != nil {
					return nil, located(err, i, j)
				}
				if !strings.HasPrefix(mt, "image/") {
					return nil, located(invalid("%s is %s, not an image", redact(p.ImageURL.URL), mt), i, j)
				}
				img := *p.ImageURL
				img.URL = "data:" + mt + ";base64," + data
				np.ImageURL = &img
				continue
			}
			mt, data, err := download(ctx, client, p.File.FileID, p.File.Format)
			if err != nil {
				return nil, located(err, i, j)
			}
			f := *p.File
			if f.Filename == "" {
				f.Filename = fileName(p.File.FileID)
			}
			f.FileID, f.FileData = "", "data:"+mt+";base64,"+data
			np.File = &f
		}
	}
	return out, nil
}

// located prefixes an *llm.Error's message with the part it is about.
func located(err error, i, j int) error {
	var le *llm.Error
	if errors.As(err, &le) && le.Kind == llm.KindInvalidRequest {
		le.Message = "messages[" + itoa(i) + "].content[" + itoa(j) + "]: " + le.Message
	}
	return err
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// download GETs u and returns its media type (format when given, else the
// Content-Type, else by the path's extension, else sniffed) and its bytes in
// base64. A cancelled ctx gives ctx's error; any other failure is
// KindInvalidRequest.
func download(ctx context.Context, client *http.Client, u, format string) (string, string, error) {
	fail := func(why string, err error) (string, string, error) {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", "", &llm.Error{Kind: llm.KindInvalidRequest, Message: "cannot download " + redact(u) + ": " + why, Err: err}
	}
	if ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	// An empty header: none of the call's headers or credentials go to a
	// third-party host.
	resp, err := httpx.Do(ctx, client, httpx.Request{Method: http.MethodGet, URL: u, Header: http.Header{}})
	if err != nil {
		var se *httpx.StatusError
		if errors.As(err, &se) {
			return fail("status "+itoa(se.StatusCode), nil)
		}
		return fail("the request failed", nil)
	}
	body, err := httpx.ReadAll(resp, MaxDownloadBytes)
	if err != nil {
		var le *limit.Error
		if errors.As(err, &le) {
			return fail("larger than bedrock.MaxDownloadBytes ("+itoa(MaxDownloadBytes>>20)+" MiB)", nil)
		}
		return fail("the read failed", nil)
	}
	mt := strings.ToLower(format)
	if mt == "" {
		mt, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	}
	if mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		if m := mimeByExt[strings.ToLower(path.Ext(urlPath(u)))]; m != "" {
			mt = m
		} else {
			mt, _, _ = mime.ParseMediaType(http.DetectContentType(body))
		}
	}
	return mt, base64.StdEncoding.EncodeToString(body), nil
}

// urlPath is the path of u, or "" when u does not parse.
func urlPath(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Path
}

// fileName is the last element of u's path, for a document's name.
func fileName(u string) string {
	if b := path.Base(urlPath(u)); b != "/" && b != "." {
		return b
	}
	return ""
}

// redact returns u without its query, fragment and user info, which can hold
// signatures or tokens (a presigned URL's): errors show where, never how.
func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "the URL"
	}
	return p.Scheme + "://" + p.Host + p.EscapedPath()
}
