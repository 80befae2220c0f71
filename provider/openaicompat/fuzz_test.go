package openaicompat

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzThinkSplitter checks that the <think> splitter gives the same content
// and reasoning however the text is cut into chunks, and that no tag is
// left in either unless it was never closed or opened.
func FuzzThinkSplitter(f *testing.F) {
	for _, s := range []string{
		"<think>\nreason\n</think>\n\nanswer",
		"no tags at all",
		"a<b <think",
		"<think>unclosed\n\n",
		"x</think>y",
		"<think></think><think>\n\n</think>\n",
		"<thi<think>nk>r\n</thin</think>",
	} {
		f.Add(s, uint8(3), uint8(5))
	}
	f.Fuzz(func(t *testing.T, text string, a, b uint8) {
		wantC, wantR := splitThink(text)
		var s thinkSplitter
		var c, r strings.Builder
		rest := text
		cuts := []int{int(a)%7 + 1, int(b)%5 + 1}
		for i := 0; rest != ""; i++ {
			n := min(cuts[i%2], len(rest))
			s.feed(rest[:n], &c, &r)
			rest = rest[n:]
		}
		s.flush(&c, &r)
		if c.String() != wantC || r.String() != wantR {
			t.Fatalf("chunked %q: got (%q, %q), whole gives (%q, %q)", text, c.String(), r.String(), wantC, wantR)
		}
		if !strings.Contains(text, thinkOpen) && wantC != text {
			t.Fatalf("text without <think> changed: %q → %q", text, wantC)
		}
	})
}

// FuzzCiteMarkers checks that every annotation spans a marker "[n]" of the
// text, indexed in characters, and names source n.
func FuzzCiteMarkers(f *testing.F) {
	f.Add("stars[1][2]. Some say[2][9].")
	f.Add("ü[1]–[2]")
	f.Add("[[1]] [0] [12345] [")
	srcs := []source{{url: "https://a.example", title: "A"}, {url: "https://b.example", title: "B"}}
	f.Fuzz(func(t *testing.T, text string) {
		runes := []rune(text)
		for _, a := range citeMarkers(text, srcs) {
			u := a.URLCitation
			if u == nil || a.Type != "url_citation" || u.StartIndex < 0 || u.EndIndex > len(runes) || u.StartIndex >= u.EndIndex {
				t.Fatalf("bad annotation %+v for %q", a, text)
			}
			m := string(runes[u.StartIndex:u.EndIndex])
			if !strings.HasPrefix(m, "[") || !strings.HasSuffix(m, "]") {
				t.Fatalf("annotation %d-%d covers %q, not a marker, in %q", u.StartIndex, u.EndIndex, m, text)
			}
			if (m == "[1]") != (u.URL == "https://a.example") || (m == "[2]") != (u.URL == "https://b.example") {
				t.Fatalf("marker %q cites %s", m, u.URL)
			}
		}
		if !utf8.ValidString(text) {
			return
		}
		if n := strings.Count(text, "[1]") + strings.Count(text, "[2]"); n != len(citeMarkers(text, srcs)) {
			t.Fatalf("%q: %d markers, %d annotations", text, n, len(citeMarkers(text, srcs)))
		}
	})
}
