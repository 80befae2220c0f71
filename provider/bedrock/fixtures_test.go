package bedrock_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/llmux/llm/internal/eventstream"
	"github.com/llmux/llm/provider/providertest"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.bin from testdata/*.events.json")

// eventFrame is one ConverseStream event message.
func eventFrame(typ string, payload []byte) []byte {
	b, err := eventstream.AppendMessage(nil, []eventstream.Header{
		eventstream.String(":event-type", typ),
		eventstream.String(":content-type", "application/json"),
		eventstream.String(":message-type", "event"),
	}, payload)
	if err != nil {
		panic(err)
	}
	return b
}

// exceptionFrame is one exception message, as Bedrock sends inside a 200
// stream.
func exceptionFrame(typ string, payload []byte) []byte {
	b, err := eventstream.AppendMessage(nil, []eventstream.Header{
		eventstream.String(":exception-type", typ),
		eventstream.String(":content-type", "application/json"),
		eventstream.String(":message-type", "exception"),
	}, payload)
	if err != nil {
		panic(err)
	}
	return b
}

// chunkFrame is one InvokeModelWithResponseStream chunk carrying an
// Anthropic streaming event.
func chunkFrame(event []byte) []byte {
	var compact bytes.Buffer
	if err := json.Compact(&compact, event); err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(map[string]string{"bytes": base64.StdEncoding.EncodeToString(compact.Bytes())})
	return eventFrame("chunk", payload)
}

type fixtureEvent struct {
	Event     string          `json:"event"`
	Exception string          `json:"exception"`
	Chunk     json.RawMessage `json:"chunk"`
	Payload   json.RawMessage `json:"payload"`
}

// framesOf builds the event-stream messages described by
// testdata/<name>.events.json, one frame per entry, with correct CRCs.
func framesOf(t testing.TB, name string) [][]byte {
	t.Helper()
	var evs []fixtureEvent
	require.NoError(t, json.Unmarshal(providertest.Fixture(t, name+".events.json"), &evs))
	frames := make([][]byte, 0, len(evs))
	for _, ev := range evs {
		var compact bytes.Buffer
		if len(ev.Payload) > 0 {
			require.NoError(t, json.Compact(&compact, ev.Payload))
		}
		switch {
		case ev.Chunk != nil:
			frames = append(frames, chunkFrame(ev.Chunk))
		case ev.Exception != "":
			frames = append(frames, exceptionFrame(ev.Exception, compact.Bytes()))
		default:
			frames = append(frames, eventFrame(ev.Event, compact.Bytes()))
		}
	}
	return frames
}

// binFixture returns testdata/<name>.bin, the wire bytes of a stream.
func binFixture(t testing.TB, name string) []byte {
	t.Helper()
	return providertest.Fixture(t, name+".bin")
}

// TestBinaryFixturesUpToDate checks that every .bin fixture is the framing
// of its .events.json description (go test -update rewrites them).
func TestBinaryFixturesUpToDate(t *testing.T) {
	for _, name := range []string{"tools", "json", "throttled", "invoke", "noinput", "guardrail"} {
		want := bytes.Join(framesOf(t, name), nil)
		if *update {
			require.NoError(t, os.WriteFile("testdata/"+name+".bin", want, 0o644))
		}
		require.Equal(t, want, binFixture(t, name), "testdata/%s.bin is stale: run go test -run TestBinaryFixturesUpToDate -update", name)
	}
}

// eventstreamError is a message of :message-type error, the event-stream
// form of a service error.
func eventstreamError(code, msg string) ([]byte, error) {
	return eventstream.AppendMessage(nil, []eventstream.Header{
		eventstream.String(":error-code", code),
		eventstream.String(":error-message", msg),
		eventstream.String(":message-type", "error"),
	}, nil)
}
