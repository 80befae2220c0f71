package redisstate_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmux/llm"
	"github.com/llmux/llm/router"
	"github.com/llmux/llm/router/redisstate"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redisServer is a redis-server of the test's own, which it can stop and
// restart on the same port.
type redisServer struct {
	t    *testing.T
	bin  string
	addr string
	cmd  *exec.Cmd
}

func startOwnRedis(t *testing.T) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("LLMUX_SKIP_REDIS") == "1" {
			t.Skip("LLMUX_SKIP_REDIS=1 and no redis-server on PATH: skipping the Redis fault test")
		}
		t.Fatal("the Redis fault test needs redis-server on PATH (apt-get install -y redis-server), or LLMUX_SKIP_REDIS=1 to skip it")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	s := &redisServer{t: t, bin: bin, addr: "127.0.0.1:" + strconv.Itoa(port)}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *redisServer) start() {
	s.t.Helper()
	_, port, _ := net.SplitHostPort(s.addr)
	s.cmd = exec.Command(s.bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	require.NoError(s.t, s.cmd.Start())
	require.NoError(s.t, ping(s.addr, 5*time.Second))
}

func (s *redisServer) stop() {
	if s.cmd != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Redis stopped and restarted mid-run: calls keep succeeding on the healthy
// deployments without stalling, each router reports the degradation and the
// recovery, and afterwards the two routers share their limits again.
func TestRedisStopsAndRestarts(t *testing.T) {
	t.Parallel()
	srv := startOwnRedis(t)
	p := prefix(t)
	var calls [2]atomic.Int64 // x, y of the limited group
	counting := func(i int) llm.Option {
		return llm.WithMockResponder(func(_ context.Context, _ *llm.CompletionRequest) llm.MockResponse {
			calls[i].Add(1)
			return llm.MockResponse{Content: "ok"}
		})
	}
	deps := []router.Deployment{
		{ID: "a", Group: "g", Model: "mock/a", Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "a"})}},
		{ID: "b", Group: "g", Model: "mock/b", Options: []llm.Option{llm.WithMockResponse(llm.MockResponse{Content: "b"})}},
		{ID: "x", Group: "limited", Model: "mock/x", RPM: 30, Options: []llm.Option{counting(0)}},
		{ID: "y", Group: "limited", Model: "mock/y", Order: 1, Options: []llm.Option{counting(1)}},
	}
	t0 := time.Now().Truncate(time.Minute)
	type instance struct {
		r      *router.Router
		mu     sync.Mutex
		events []router.EventKind
	}
	var insts [2]*instance
	for i := range insts {
		in := &instance{}
		rdb := redis.NewClient(redisstate.ClientOptions(srv.addr))
		t.Cleanup(func() { rdb.Close() })
		r, err := router.New(deps, router.WithState(redisstate.New(rdb, redisstate.WithPrefix(p))),
			router.WithClock(func() time.Time { return t0 }), router.WithStrategy(router.Priority()),
			router.WithStateProbe(100*time.Millisecond, 100*time.Millisecond),
			router.WithEvents(func(e router.Event) { in.mu.Lock(); in.events = append(in.events, e.Kind); in.mu.Unlock() }))
		require.NoError(t, err)
		in.r = r
		insts[i] = in
	}
	events := func(i int) []router.EventKind {
		insts[i].mu.Lock()
		defer insts[i].mu.Unlock()
		return append([]router.EventKind(nil), insts[i].events...)
	}
	var slowest time.Duration
	call := func(i int, group string) {
		t.Helper()
		start := time.Now()
		_, err := insts[i].r.Completion(t.Context(), llm.CompletionRequest{Model: group, Messages: []llm.Message{llm.UserText("hi")}})
		require.NoError(t, err)
		slowest = max(slowest, time.Since(start))
	}
	for i := range 20 {
		call(i%2, "g")
	}
	assert.Empty(t, events(0))

	srv.stop()
	for i := range 200 {
		call(i%2, "g")
	}
	// A probing call may wait out the probe timeout (100 ms) plus one dial
	// retry; the bound leaves room for a loaded CI machine and is still far
	// below the ~1.7 s that each call waited before (go-redis's retries).
	assert.LessOrEqual(t, slowest, 500*time.Millisecond, "no call stalls while Redis is down")
	assert.Equal(t, []router.EventKind{router.StateDegraded}, events(0))
	assert.Equal(t, []router.EventKind{router.StateDegraded}, events(1))

	srv.start()
	deadline := time.Now().Add(3 * time.Second)
	for len(events(0)) < 2 || len(events(1)) < 2 {
		require.True(t, time.Now().Before(deadline), "the routers did not go back to Redis: %v, %v", events(0), events(1))
		call(0, "g")
		call(1, "g")
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, []router.EventKind{router.StateDegraded, router.StateRecovered}, events(0))
	assert.Equal(t, []router.EventKind{router.StateDegraded, router.StateRecovered}, events(1))

	// Resynchronised: x's rpm limit of 30 holds across both routers.
	for i := range 100 {
		call(i%2, "limited")
	}
	assert.Equal(t, int64(30), calls[0].Load(), "the rpm limit is shared again")
	assert.Equal(t, int64(70), calls[1].Load())
	t.Logf("slowest call: %v", slowest)
}
