package limit

import (
	"errors"
	"testing"
)

func TestError(t *testing.T) {
	t.Parallel()
	sentinel := errors.New("too large")
	cases := []struct {
		err  *Error
		want string
	}{
		{Body(DefaultBody), "the response body exceeds the 32 MiB cap (llm.WithMaxResponseBytes raises it)"},
		{Event(DefaultEvent, sentinel), "the stream event exceeds the 8 MiB cap (llm.WithMaxEventBytes raises it)"},
		{Body(1536 << 10), "the response body exceeds the 1536 KiB cap (llm.WithMaxResponseBytes raises it)"},
		{Body(100), "the response body exceeds the 100 bytes cap (llm.WithMaxResponseBytes raises it)"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if !errors.Is(Event(1, sentinel), sentinel) {
		t.Error("an event error does not unwrap to the decoder's sentinel")
	}
}
