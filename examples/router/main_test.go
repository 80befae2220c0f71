package main

import (
	"strings"
	"testing"
	"testing/synctest"
)

func TestRun(t *testing.T) {
	// In a synctest bubble the one-second cooldown passes on a fake clock.
	synctest.Test(t, func(t *testing.T) {
		var out strings.Builder
		if err := run(t.Context(), &out); err != nil {
			t.Fatal(err)
		}
		want := `answer from the backup   (deployment backup, 2 attempt(s))
answer from the backup   (deployment backup, 2 attempt(s))
answer from the backup   (deployment backup, 2 attempt(s))
answer from the backup   (deployment backup, 1 attempt(s))
primary: cooling down true, failures this minute 3
backup: cooling down false, failures this minute 0
waiting for the primary's cooldown to end...
answer from the primary  (deployment primary, 1 attempt(s))
`
		if out.String() != want {
			t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
		}
	})
}
