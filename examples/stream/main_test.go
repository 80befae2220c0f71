package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out, info strings.Builder
	if err := run(t.Context(), &out, &info, "mock/demo"); err != nil {
		t.Fatal(err)
	}
	if want := "Values flow one by one; range takes what yield gives; break, and the stream rests."; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	if !strings.Contains(info.String(), "[finish stop, ") {
		t.Errorf("got %q, want the finish reason", info.String())
	}
}
