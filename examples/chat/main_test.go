package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	// gpt-4o-mini: $0.15/M input, $0.60/M output: 14 × 0.15e-6 + 6 × 0.6e-6 = $0.0000057.
	for model, want := range map[string]string{
		"mock/gpt-4o-mini": "Mock response to: What is Go?\n[mock/gpt-4o-mini, 14 prompt + 6 completion tokens, cost $0.000006]\n",
		"mock/demo":        "Mock response to: What is Go?\n[mock/demo, 14 prompt + 6 completion tokens, cost unknown (at least $0.000000)]\n",
	} {
		t.Run(model, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if err := run(t.Context(), &out, model, "What is Go?"); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("got %q, want %q", out.String(), want)
			}
		})
	}
}
