package main

import (
	"strings"
	"testing"
	"testing/synctest"
)

func TestRun(t *testing.T) {
	// In a synctest bubble the mock's 30 ms per chunk pass on a fake clock.
	synctest.Test(t, func(t *testing.T) {
		var out, info strings.Builder
		if err := run(t.Context(), &out, &info, "mock/demo"); err != nil {
			t.Fatal(err)
		}
		if want := "Values flow one by one; range takes what yield gives; break, and the stream rests."; out.String() != want {
			t.Errorf("got %q, want %q", out.String(), want)
		}
		if want := "\n[finish stop, 23 tokens, first token after 30ms]\n"; info.String() != want {
			t.Errorf("got %q, want %q", info.String(), want)
		}
	})
}
