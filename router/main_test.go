package router_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine outlives the tests: streams read in the caller's goroutine
// and every timer is stopped.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
