package bedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/llmux/llm"
	"github.com/llmux/llm/internal/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The credentials and time of AWS's published SigV4 test suite.
var (
	suiteCreds = aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	suiteTime  = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
)

// TestSigV4PublishedVectors signs the get-vanilla and post-vanilla requests
// of AWS's Signature Version 4 test suite through signRequest.
func TestSigV4PublishedVectors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ method, want string }{
		{http.MethodGet, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{http.MethodPost, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	} {
		r, err := http.NewRequest(c.method, "https://example.amazonaws.com/", nil)
		require.NoError(t, err)
		require.NoError(t, signRequest(t.Context(), r, nil, suiteCreds, "service", "us-east-1", suiteTime))
		assert.Equal(t, c.want, r.Header.Get("Authorization"), c.method)
		assert.Equal(t, "20150830T123600Z", r.Header.Get("X-Amz-Date"))
	}
}

// TestSignatureMatchesSDK checks the Authorization header on the wire
// against the SDK signer's output for the same fixed time, static
// credentials and body, signed over the request exactly as the server
// received it (host, escaped path, content length, headers).
func TestSignatureMatchesSDK(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	creds := aws.Credentials{AccessKeyID: "AKIATESTEXAMPLE", SecretAccessKey: "test/secret+key", SessionToken: "session-xyz"}
	type got struct {
		auth, date, token, path, host string
		body                          []byte
		header                        http.Header
	}
	var g got
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g = got{r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), r.Header.Get("X-Amz-Security-Token"), r.URL.EscapedPath(), r.Host, body, r.Header.Clone()}
		_, _ = w.Write([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`))
	}))
	defer srv.Close()

	p := &Provider{now: func() time.Time { return at }}
	const model = "arn:aws:bedrock:eu-west-3:123456789012:application-inference-profile/a1b2c3d4e5f6"
	client := llm.NewClient(llm.WithProvider(p, llm.WithBaseURL(srv.URL), WithCredentials(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)))
	req := llm.CompletionRequest{Model: "bedrock/" + model, Messages: []llm.Message{llm.UserText("Grüße, ünïcode and \"quotes\"")}, MaxTokens: 10}
	_, err := client.Completion(t.Context(), req, llm.WithHeader("X-Trace", "a  b"))
	require.NoError(t, err)

	assert.Equal(t, "20260102T030405Z", g.date)
	assert.Equal(t, "session-xyz", g.token)
	assert.Equal(t, "/model/arn%3Aaws%3Abedrock%3Aeu-west-3%3A123456789012%3Aapplication-inference-profile%2Fa1b2c3d4e5f6/converse", g.path)

	// Sign, with the SDK directly, a request rebuilt from what arrived.
	r, err := http.NewRequest(http.MethodPost, "http://"+g.host+g.path, bytes.NewReader(g.body))
	require.NoError(t, err)
	for _, h := range []string{"Accept", "Content-Type", "X-Trace"} {
		r.Header.Set(h, g.header.Get(h))
	}
	sum := sha256.Sum256(g.body)
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "bedrock", "eu-west-3", at))
	assert.Equal(t, r.Header.Get("Authorization"), g.auth)
	assert.True(t, strings.HasPrefix(g.auth, "AWS4-HMAC-SHA256 Credential=AKIATESTEXAMPLE/20260102/eu-west-3/bedrock/aws4_request, "), g.auth)

	// A different body under the same signature does not verify.
	r2, _ := http.NewRequest(http.MethodPost, "http://"+g.host+g.path, bytes.NewReader(append(g.body, ' ')))
	for _, h := range []string{"Accept", "Content-Type", "X-Trace"} {
		r2.Header.Set(h, g.header.Get(h))
	}
	sum2 := sha256.Sum256(append(g.body, ' '))
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, r2, hex.EncodeToString(sum2[:]), "bedrock", "eu-west-3", at))
	assert.NotEqual(t, r2.Header.Get("Authorization"), g.auth)
}

func TestEscapePath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"amazon.nova-pro-v1:0": "amazon.nova-pro-v1%3A0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0": "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-sonnet-20241022-v2%3A0",
		"plain_id-1.2~x": "plain_id-1.2~x",
		"a b?c#d%e":      "a%20b%3Fc%23d%25e",
		"é":              "%C3%A9",
	} {
		assert.Equal(t, want, escapePath(in), in)
	}
}

func TestModelHelpers(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]struct {
		r  route
		id string
	}{
		"anthropic.claude-v2":      {routeConverse, "anthropic.claude-v2"},
		"converse/amazon.nova":     {routeConverse, "amazon.nova"},
		"invoke/anthropic.claude":  {routeInvoke, "anthropic.claude"},
		"arn:aws:bedrock:x:1:y/z":  {routeConverse, "arn:aws:bedrock:x:1:y/z"},
		"invoke/arn:aws:bedrock:a": {routeInvoke, "arn:aws:bedrock:a"},
	} {
		r, id := parseModel(in)
		assert.Equal(t, want.r, r, in)
		assert.Equal(t, want.id, id, in)
	}
	assert.Equal(t, "us-gov-west-1", arnRegion("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:foundation-model/x"))
	assert.Equal(t, "", arnRegion("arn:aws:bedrock"))
	assert.Equal(t, "", arnRegion("anthropic.claude"))
	assert.True(t, isAnthropic("eu.anthropic.claude-3-haiku-20240307-v1:0"))
	assert.False(t, isAnthropic("amazon.nova-lite-v1:0"))
	assert.Equal(t, "https://bedrock-runtime.cn-north-1.amazonaws.com.cn", endpoint(&llm.Config{}, "cn-north-1"))
	assert.Equal(t, "https://example.com", stripDefaultPort("https://example.com:443"))
	assert.Equal(t, "http://example.com:8080/x", stripDefaultPort("http://example.com:8080/x"))
	for in, want := range map[string]string{
		"Q3_report.pdf": "Q3 report", "a..b.txt": "a b", "résumé (v2) [final].docx": "rsum (v2) [final]", "": "document-3", "!!!.pdf": "document-3",
	} {
		assert.Equal(t, want, documentName(in, 3), in)
	}
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status int
		code   string
		msg    string
		orig   int
		want   llm.Kind
	}{
		{400, "ValidationException", "Input is too long for requested model.", 0, llm.KindContextWindowExceeded},
		{400, "ValidationException", "max_tokens must be positive", 0, llm.KindInvalidRequest},
		{400, "", "prompt is too long", 0, llm.KindContextWindowExceeded},
		{403, "ExpiredTokenException", "The security token included in the request is expired", 0, llm.KindAuthentication},
		{403, "MissingAuthenticationTokenException", "Missing Authentication Token", 0, llm.KindAuthentication},
		{400, "ConflictException", "conflict", 0, llm.KindConflict},
		{0, "ModelStreamErrorException", "x", 503, llm.KindOverloaded},
		{0, "ModelStreamErrorException", "x", 42, llm.KindServer},
		{0, "", "unknown", 0, llm.KindServer},
		{418, "", "teapot", 0, llm.KindInvalidRequest},
		// Claude's documented content-filter error ("Output blocked by
		// content filtering policy", Anthropic's errors page), as Bedrock
		// passes the model's message through, in a response or a stream.
		{400, "ValidationException", "Output blocked by content filtering policy", 0, llm.KindContentPolicy},
		{400, "", "output blocked by content filtering policy", 0, llm.KindContentPolicy},
		{0, "ModelStreamErrorException", "Output blocked by content filtering policy", 400, llm.KindContentPolicy},
		{0, "ValidationException", "Output blocked by content filtering policy", 0, llm.KindContentPolicy},
	} {
		assert.Equal(t, c.want, kindOf(c.status, c.code, c.msg, c.orig), "%d %s %s", c.status, c.code, c.msg)
	}
	assert.Equal(t, "ThrottlingException", errorName("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"))
	assert.Equal(t, "ValidationException", errorName("com.amazon.coral.validate#ValidationException"))
	e := errorFromBody(500, http.Header{}, []byte(strings.Repeat("x", 3000)))
	assert.Len(t, e.Message, 2000)
	assert.Equal(t, "Boom", errorFromBody(500, http.Header{}, []byte(`{"Message":"Boom"}`)).Message)
}

// FuzzConverseStream feeds arbitrary event payloads and types to the stream
// decoder: it must never panic.
func FuzzConverseStream(f *testing.F) {
	f.Add("contentBlockDelta", []byte(`{"contentBlockIndex":0,"delta":{"text":"hi"}}`))
	f.Add("contentBlockStart", []byte(`{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"t","name":"f"}}}`))
	f.Add("contentBlockDelta", []byte(`{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{"}}}`))
	f.Add("contentBlockDelta", []byte(`{"contentBlockIndex":1,"delta":{"reasoningContent":{"text":"a","signature":"s","redactedContent":"AA=="}}}`))
	f.Add("contentBlockStop", []byte(`{"contentBlockIndex":1}`))
	f.Add("messageStop", []byte(`{"stopReason":"tool_use"}`))
	f.Add("metadata", []byte(`{"usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3,"cacheDetails":[{"ttl":"1h","inputTokens":1}]}}`))
	f.Add("contentBlockDelta", []byte(`{"contentBlockIndex":-1,"delta":{}}`))
	f.Add("metadata", []byte(`{"usage":{"inputTokens":1},"trace":{"guardrail":{"actionReason":"x"}}}`))
	f.Add("hologramDelta", []byte(`{"frames":[1]}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		d := newConverseDecoder("id", "m")
		for _, mt := range []string{"event", "exception", "error"} {
			frame, err := eventstream.AppendMessage(nil, []eventstream.Header{
				eventstream.String(":event-type", typ), eventstream.String(":message-type", mt),
				eventstream.String(":exception-type", typ), eventstream.String(":error-code", typ),
			}, payload)
			if err != nil {
				return
			}
			m, err := eventstream.NewDecoder(bytes.NewReader(frame)).Next()
			require.NoError(t, err)
			c, _, err := d.decode(m)
			if err != nil {
				var le *llm.Error
				require.ErrorAs(t, err, &le)
				continue
			}
			_ = c
		}
	})
}

// FuzzDecodeConverse decodes arbitrary response bodies: no panic, and an
// error is always an *llm.Error.
func FuzzDecodeConverse(f *testing.F) {
	f.Add([]byte(`{"output":{"message":{"role":"assistant","content":[{"text":"x"},{"toolUse":{"toolUseId":"a","name":"json_tool_call","input":{"a":1}}},{"reasoningContent":{"redactedContent":"AA=="}},{"citationsContent":{"content":[{"text":"c"}]}}]}},"stopReason":"tool_use","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"output":{"message":{"content":[{"text":""},{"hologram":{}}]}},"stopReason":"guardrail_intervened","trace":{"guardrail":{}}}`))
	f.Add([]byte(`{"output":{"message":{"content":[{"toolUse":{"input":"not json"}}]}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeConverse(body, "m", http.Header{})
		if err != nil {
			var le *llm.Error
			require.ErrorAs(t, err, &le)
		}
		_ = errorFromBody(400, http.Header{"X-Amzn-Errortype": {string(body)}}, body)
	})
}

// The client validates requests, but the translator still never panics on
// one it did not see.
func TestEncodeUnvalidatedRequest(t *testing.T) {
	t.Parallel()
	for name, req := range map[string]*llm.CompletionRequest{
		"image without url":  {Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartImageURL})}},
		"file without file":  {Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartFile})}},
		"audio without data": {Messages: []llm.Message{llm.UserParts(llm.Part{Type: llm.PartInputAudio})}},
		"unknown part":       {Messages: []llm.Message{llm.UserParts(llm.Part{Type: "hologram"})}},
		"tool without fn":    {Messages: []llm.Message{llm.UserText("x")}, Tools: []llm.Tool{{Type: "function"}}},
		"unknown role":       {Messages: []llm.Message{{Role: "robot", Content: llm.Text("x")}}},
		"system image":       {Messages: []llm.Message{{Role: llm.RoleSystem, Content: llm.Parts(llm.ImagePart("data:image/png;base64,AA", ""))}}},
		"bad arguments":      {Messages: []llm.Message{{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "1", Function: llm.FunctionCall{Name: "f", Arguments: "[1]"}}}}}},
	} {
		_, err := encodeConverse(req, "m", false, nil)
		var le *llm.Error
		require.ErrorAs(t, err, &le, name)
		assert.Equal(t, llm.KindInvalidRequest, le.Kind, name)
	}
}
