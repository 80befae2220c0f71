package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), &out, "mock/demo"); err != nil {
		t.Fatal(err)
	}
	want := "-> get_weather({\"city\":\"Paris\"})\nIt is 18°C and clear in Paris. Result: {\"city\":\"Paris\",\"temperature_c\":18,\"sky\":\"clear\"}\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}
