// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause

// The "signals" mode: batch calls from threads hit by a handled signal.

package main

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// signalsPart: batch calls from threads that keep being hit by a signal with
// a handler (SA_RESTART, as Go installs every handler), the way the Go
// runtime's preemption signal can hit a thread. An interrupted call is
// restarted by the kernel; every element must still come back exactly once.
func signalsPart() {
	const workers, iters, n = 4, 300, 32
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, unix.SIGUSR1)
	go func() {
		for range sigs {
		}
	}()
	var tids [workers]int32
	var stop int32
	var bad, lost, dups, errs, updErrs int64
	var firstErr atomic.Value
	var wg, started sync.WaitGroup
	started.Add(workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			// Stay on one thread so that the signaller can aim at it.
			runtime.LockOSThread()
			atomic.StoreInt32(&tids[w], int32(unix.Gettid()))
			started.Done()
			m := newMap(ebpf.Hash, 8, 8, 64)
			defer m.Close()
			keys := make([]uint64, n)
			vals := make([]uint64, n)
			for it := 0; it < iters; it++ {
				for i := range keys {
					keys[i] = uint64(i*7 + it)
					vals[i] = hashVal(keys[i])
				}
				if c, err := m.BatchUpdate(keys, vals, nil); c != n || err != nil {
					atomic.AddInt64(&updErrs, 1)
					firstErr.CompareAndSwap(nil, errName(err))
				}
				want := map[uint64]bool{}
				for _, k := range keys {
					want[k] = true
				}
				got := 0
				var prev, next uint64
				for calls := 0; calls < 50; calls++ {
					k := make([]uint64, 10)
					v := make([]uint64, 10)
					var c int
					var err error
					if calls == 0 {
						c, err = m.BatchLookupAndDelete(nil, &next, k, v, nil)
					} else {
						c, err = m.BatchLookupAndDelete(prev, &next, k, v, nil)
					}
					for i := 0; i < c; i++ {
						if !want[k[i]] {
							atomic.AddInt64(&dups, 1)
						} else if v[i] != hashVal(k[i]) {
							atomic.AddInt64(&bad, 1)
						}
						delete(want, k[i])
						got++
					}
					if err != nil {
						if !errors.Is(err, ebpf.ErrKeyNotExist) {
							atomic.AddInt64(&errs, 1)
							firstErr.CompareAndSwap(nil, errName(err))
						}
						break
					}
					prev = next
				}
				atomic.AddInt64(&lost, int64(len(want)))
			}
		}(w)
	}
	started.Wait()
	done := make(chan struct{})
	go func() {
		pid := unix.Getpid()
		for atomic.LoadInt32(&stop) == 0 {
			for _, t := range tids {
				_ = unix.Tgkill(pid, int(t), unix.SIGUSR1)
			}
			time.Sleep(20 * time.Microsecond)
		}
		close(done)
	}()
	wg.Wait()
	atomic.StoreInt32(&stop, 1)
	<-done
	signal.Stop(sigs)
	say("signals: workers=%d iterations=%d elements=%d lost=%d dups=%d badvals=%d errors=%d update-errors=%d",
		workers, iters, workers*iters*n, lost, dups, bad, errs, updErrs)
	if lost+dups+bad+errs+updErrs != 0 {
		fail("signals: lost=%d dups=%d badvals=%d errors=%d update-errors=%d (first error %v)",
			lost, dups, bad, errs, updErrs, firstErr.Load())
	}
}
