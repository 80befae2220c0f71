package router_test

import (
	"testing"

	"github.com/llmux/llm/router"
	"github.com/llmux/llm/router/statetest"
)

func TestMemoryStateConformance(t *testing.T) {
	t.Parallel()
	statetest.Run(t, func(*testing.T) router.State { return router.NewMemory() })
}

// The load of the issue: 1,000 goroutines × 20 calls over five deployments,
// then 1,000 calls racing for five rpm-limited deployments.
func TestLoadMemory(t *testing.T) {
	t.Parallel()
	statetest.Load(t, router.NewMemory(), 1000, 20, 100)
}

func TestSharedMemory(t *testing.T) {
	t.Parallel()
	s := router.NewMemory()
	statetest.Shared(t, s, s)
}

// The high-traffic cooldown scenarios of issue 20, in memory.
func TestCooldownScenariosMemory(t *testing.T) {
	t.Parallel()
	statetest.Cooldowns(t, func(*testing.T) router.State { return router.NewMemory() })
}
