package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), &out, "mock/demo", "What is Go?"); err != nil {
		t.Fatal(err)
	}
	want := "Mock response to: What is Go?\n[mock/demo, 14 prompt + 6 completion tokens]\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
