// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause

// The "storm N" mode: walks of an N-entry map under a signal storm.

package main

import (
	"errors"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// stormPart: one BatchLookup walk and one BatchLookupAndDelete drain of an
// n-entry hash map, 128 elements per call, on a thread that another goroutine
// hits with SIGUSR1 every ~50 µs, while busy goroutines on GOMAXPROCS=2 keep
// the runtime preempting (SIGURG) and collecting. Every element must come back
// exactly once; the signals seen are printed.
func stormPart(n int) {
	runtime.GOMAXPROCS(2)
	m := newMap(ebpf.Hash, 8, 8, uint32(n))
	defer m.Close()
	for base := 0; base < n; base += 4096 {
		c := n - base
		if c > 4096 {
			c = 4096
		}
		keys := make([]uint64, c)
		vals := make([]uint64, c)
		for i := range keys {
			keys[i] = hashKey(base + i)
			vals[i] = hashVal(keys[i])
		}
		if got, err := m.BatchUpdate(keys, vals, nil); got != c || err != nil {
			fail("storm fill: n=%d err=%v", got, err)
			return
		}
	}

	var stop int32
	var usr1Sent, usr1Seen, urgSeen int64
	usr1 := make(chan os.Signal, 1024)
	urg := make(chan os.Signal, 1024)
	signal.Notify(usr1, unix.SIGUSR1)
	signal.Notify(urg, unix.SIGURG) // the runtime's preemption signal, passed on too
	go func() {
		for range usr1 {
			atomic.AddInt64(&usr1Seen, 1)
		}
	}()
	go func() {
		for range urg {
			atomic.AddInt64(&urgSeen, 1)
		}
	}()
	// One busy goroutine beside the walker and the signaller: on 2 Ps the
	// runtime preempts it (SIGURG) whenever the others need to run.
	var busy sync.WaitGroup
	for i := 0; i < 1; i++ {
		busy.Add(1)
		go func() {
			defer busy.Done()
			var junk [][]byte
			for x := 0; atomic.LoadInt32(&stop) == 0; x++ {
				// Garbage, so that collections keep stopping the world.
				if x%4096 == 0 {
					junk = append(junk[:0], make([]byte, 64<<10))
				}
			}
			_ = junk
		}()
	}

	runtime.LockOSThread()
	tid := unix.Gettid()
	stormDone := make(chan struct{})
	go func() {
		pid := unix.Getpid()
		// A raw nanosleep keeps this goroutine's P: time.Sleep would
		// wait for the scheduler, a millisecond or more on 2 busy Ps.
		ts := unix.Timespec{Nsec: 50000}
		for atomic.LoadInt32(&stop) == 0 {
			if unix.Tgkill(pid, tid, unix.SIGUSR1) == nil {
				atomic.AddInt64(&usr1Sent, 1)
			}
			unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		}
		close(stormDone)
	}()

	stormWalk("lookup", m.BatchLookup, n)
	stormWalk("lookup-and-delete", m.BatchLookupAndDelete, n)
	stormWalk("after the drain", m.BatchLookup, 0)

	atomic.StoreInt32(&stop, 1)
	<-stormDone
	busy.Wait()
	signal.Stop(usr1)
	signal.Stop(urg)
	say("storm signals: SIGUSR1 sent=%d seen=%d, SIGURG (preemption) seen=%d",
		atomic.LoadInt64(&usr1Sent), atomic.LoadInt64(&usr1Seen), atomic.LoadInt64(&urgSeen))
}

// stormWalk walks the whole map with fn, 128 per call, and checks that the keys
// hashKey(0 .. n-1) come back exactly once each, with their values.
func stormWalk(tag string, fn batchFn, n int) {
	seen := make(map[uint64]int, n)
	var prev, next uint64
	var err error
	calls, bad := 0, 0
	for ; calls < 4*n/128+16; calls++ {
		keys := make([]uint64, 128)
		vals := make([]uint64, 128)
		var c int
		if calls == 0 {
			c, err = fn(nil, &next, keys, vals, nil)
		} else {
			c, err = fn(prev, &next, keys, vals, nil)
		}
		for i := 0; i < c; i++ {
			seen[keys[i]]++
			if vals[i] != hashVal(keys[i]) {
				bad++
			}
		}
		if err != nil {
			break
		}
		prev = next
	}
	lost, dups := 0, 0
	for i := 0; i < n; i++ {
		if seen[hashKey(i)] == 0 {
			lost++
		}
	}
	for _, c := range seen {
		if c > 1 {
			dups += c - 1
		}
	}
	if len(seen) > n-lost {
		bad += len(seen) - (n - lost)
	}
	say("storm %s: elements=%d calls=%d lost=%d dups=%d badvals=%d end=%s",
		tag, n, calls+1, lost, dups, bad, errName(err))
	if lost+dups+bad != 0 || !errors.Is(err, ebpf.ErrKeyNotExist) {
		fail("storm %s: lost=%d dups=%d badvals=%d end=%v", tag, lost, dups, bad, err)
	}
}
