// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause

// A static Go client of the four BPF map batch commands, through the
// cilium/ebpf library as packaged by Debian. Go issues raw syscalls, so
// LD_PRELOAD never sees it; only `bpfbatch run` can serve it on a kernel
// without the batch commands.
//
// It prints a transcript that does not depend on how the kernel chunks hash
// buckets, on map ids or on addresses, so a native run and a supervised run on
// a simulated old kernel can be compared as text. Every check that fails is
// reported on stderr and makes the exit status 1; a kernel (or simulated
// kernel) without the batch API makes it 2, after one transcript line.
//
// With the argument "signals" it runs instead a stress of BatchUpdate and
// BatchLookupAndDelete on threads that keep receiving a handled signal, and
// checks that no element is lost or returned twice; with "storm N", walks of
// an N-entry map under a signal storm and the runtime's own preemption.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// ENOTSUPP is the kernel-internal 524 that reaches user space when a map type
// lacks a batch operation; x/sys names it, but spell it out to say why 524.
const enotsupp = unix.Errno(524)

var failures int

func fail(format string, args ...interface{}) {
	failures++
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
}

func say(format string, args ...interface{}) {
	fmt.Printf(format+"\n", args...)
}

// errName gives the sentinel and the errno behind err, never its full text:
// the text of a wrapped error may carry details that differ between a native
// and an emulated run without the meaning differing.
func errName(err error) string {
	if err == nil {
		return "nil"
	}
	name := "other"
	switch {
	case errors.Is(err, ebpf.ErrKeyNotExist):
		name = "ErrKeyNotExist"
	case errors.Is(err, ebpf.ErrKeyExist):
		name = "ErrKeyExist"
	case errors.Is(err, ebpf.ErrNotSupported):
		name = "ErrNotSupported"
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		return fmt.Sprintf("%s/errno=%d", name, int(errno))
	}
	if name == "other" {
		return "other: " + err.Error()
	}
	return name
}

// The hash map has 8-byte keys on purpose: cilium/ebpf hands the kernel a
// key_size-byte in/out batch token, of which the kernel (and so the shim)
// uses only the first 4 bytes for a hash map.
func hashVal(k uint64) uint64 { return k*1000003 + 17 }
func hashKey(i int) uint64    { return uint64(i)*0x10001 + 5 }

func newMap(typ ebpf.MapType, keySize, valueSize, max uint32) *ebpf.Map {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: typ, KeySize: keySize,
		ValueSize: valueSize, MaxEntries: max})
	if err != nil {
		fmt.Fprintf(os.Stderr, "NewMap(%v): %v\n", typ, err)
		os.Exit(1)
	}
	return m
}

type batchFn func(prev, next, keys, vals interface{}, o *ebpf.BatchOptions) (int, error)

// walkHash runs fn (BatchLookup or BatchLookupAndDelete) over the whole hash
// map, chunk0 elements per call, and checks that it returns exactly the keys of
// want, each once, with their values, and ends with ErrKeyNotExist. Only
// totals are printed: the per-call counts follow the kernel's buckets.
func walkHash(tag string, fn batchFn, chunk0 int, want map[uint64]bool) {
	chunk := chunk0
	seen := map[uint64]int{}
	var prev, next uint64
	var err error
	calls, badVals, started := 0, 0, false
	for calls < 200 {
		keys := make([]uint64, chunk)
		vals := make([]uint64, chunk)
		var n int
		if !started {
			n, err = fn(nil, &next, keys, vals, nil)
		} else {
			n, err = fn(prev, &next, keys, vals, nil)
		}
		calls++
		if n < 0 || n > chunk {
			fail("%s: count %d out of range", tag, n)
			break
		}
		for i := 0; i < n; i++ {
			seen[keys[i]]++
			if vals[i] != hashVal(keys[i]) {
				badVals++
			}
		}
		// A bucket wider than the batch is ENOSPC with nothing copied
		// (the kernel returns whole buckets): retry the same position
		// with room for it, as a real client must. Rare with 40 keys
		// in 64 buckets, but it must not make the test flaky.
		if n == 0 && errors.Is(err, unix.ENOSPC) && chunk < 1024 {
			chunk *= 2
			continue
		}
		if err != nil {
			break
		}
		prev, started = next, true
	}
	dups, missing, extra, total := 0, 0, 0, 0
	for k, c := range seen {
		total += c
		if c > 1 {
			dups++
		}
		if !want[k] {
			extra++
		}
	}
	for k := range want {
		if seen[k] == 0 {
			missing++
		}
	}
	say("hash %s chunk=%d: total=%d dups=%d missing=%d extra=%d badvals=%d end=%s",
		tag, chunk0, total, dups, missing, extra, badVals, errName(err))
	if !errors.Is(err, ebpf.ErrKeyNotExist) {
		fail("%s chunk=%d: walk ended with %v, want ErrKeyNotExist", tag, chunk0, err)
	}
	if total != len(want) || dups+missing+extra+badVals != 0 {
		fail("%s chunk=%d: total=%d (want %d) dups=%d missing=%d extra=%d badvals=%d",
			tag, chunk0, total, len(want), dups, missing, extra, badVals)
	}
}

func hashPart() {
	m := newMap(ebpf.Hash, 8, 8, 64)
	defer m.Close()

	const n = 40
	keys := make([]uint64, n)
	vals := make([]uint64, n)
	want := map[uint64]bool{}
	for i := range keys {
		keys[i] = hashKey(i)
		vals[i] = hashVal(keys[i])
		want[keys[i]] = true
	}
	got, err := m.BatchUpdate(keys, vals, nil)
	say("hash BatchUpdate: n=%d err=%s", got, errName(err))
	if err != nil {
		// The feature probe (or the simulated kernel) refused the
		// batch API: that is the expected outcome on a kernel < 5.6
		// without the supervisor, and nothing else can be checked.
		if errors.Is(err, ebpf.ErrNotSupported) {
			say("batch API unsupported: %v", err)
			os.Exit(2)
		}
		fail("BatchUpdate: %v", err)
		return
	}
	if got != n {
		fail("BatchUpdate: n=%d want %d", got, n)
	}

	for _, chunk := range []int{8, 13, 64, 100} {
		walkHash("BatchLookup", m.BatchLookup, chunk, want)
	}

	// The batch commands take no per-element NOEXIST/EXIST (elem_flags
	// allows only BPF_F_LOCK): EINVAL before any element, and the kernel
	// leaves count as it was, which cilium/ebpf returns as n.
	got, err = m.BatchUpdate(keys[:3], vals[:3], &ebpf.BatchOptions{ElemFlags: uint64(ebpf.UpdateNoExist)})
	say("hash BatchUpdate elem_flags NoExist: n=%d err=%s", got, errName(err))
	if !errors.Is(err, unix.EINVAL) {
		fail("BatchUpdate NoExist: n=%d err=%v", got, err)
	}

	// Overwrite with the same values: update of existing keys succeeds.
	got, err = m.BatchUpdate(keys[:5], vals[:5], nil)
	say("hash BatchUpdate existing: n=%d err=%s", got, errName(err))
	if got != 5 || err != nil {
		fail("BatchUpdate existing: n=%d err=%v", got, err)
	}

	got, err = m.BatchDelete(keys[:10], nil)
	say("hash BatchDelete 10: n=%d err=%s", got, errName(err))
	if got != 10 || err != nil {
		fail("BatchDelete: n=%d err=%v", got, err)
	}
	for _, k := range keys[:10] {
		delete(want, k)
	}

	// A missing key in the middle stops the batch there, with ENOENT and
	// the count of keys deleted before it.
	mixed := []uint64{keys[10], keys[11], 0xdeadbeef, keys[12]}
	got, err = m.BatchDelete(mixed, nil)
	say("hash BatchDelete with missing key: n=%d err=%s", got, errName(err))
	if got != 2 || !errors.Is(err, ebpf.ErrKeyNotExist) {
		fail("BatchDelete missing: n=%d err=%v", got, err)
	}
	delete(want, keys[10])
	delete(want, keys[11])

	var v uint64
	err = m.Lookup(keys[11], &v)
	say("hash Lookup deleted key: err=%s", errName(err))
	if !errors.Is(err, ebpf.ErrKeyNotExist) {
		fail("Lookup deleted key: %v", err)
	}
	err = m.Lookup(keys[12], &v)
	say("hash Lookup kept key: err=%s value-ok=%v", errName(err), v == hashVal(keys[12]))

	walkHash("BatchLookup after delete", m.BatchLookup, 8, want)
	walkHash("BatchLookupAndDelete", m.BatchLookupAndDelete, 7, want)

	// The map is empty now: one more walk returns nothing but the end.
	walkHash("BatchLookup empty", m.BatchLookup, 8, map[uint64]bool{})
	walkHash("BatchLookupAndDelete empty", m.BatchLookupAndDelete, 8, map[uint64]bool{})
}

// Arrays are walked in index order, so here every call's result is printed.
func arrayPart() {
	const max = 16
	m := newMap(ebpf.Array, 4, 8, max)
	defer m.Close()

	keys := make([]uint32, 12)
	vals := make([]uint64, 12)
	for i := range keys {
		keys[i] = uint32(i)
		vals[i] = uint64(i)*7 + 1
	}
	got, err := m.BatchUpdate(keys, vals, nil)
	say("array BatchUpdate: n=%d err=%s", got, errName(err))
	if got != 12 || err != nil {
		fail("array BatchUpdate: n=%d err=%v", got, err)
	}

	// Index max is out of range: the kernel stops there (E2BIG).
	bad := []uint32{12, 13, max, 14}
	got, err = m.BatchUpdate(bad, []uint64{91, 92, 93, 94}, nil)
	say("array BatchUpdate out of range: n=%d err=%s", got, errName(err))
	if got != 2 || !errors.Is(err, unix.E2BIG) {
		fail("array BatchUpdate out of range: n=%d err=%v", got, err)
	}

	var prev, next uint32
	seen := make([]int, max)
	total, calls := 0, 0
	for calls < 50 {
		k := make([]uint32, 5)
		v := make([]uint64, 5)
		var n int
		if calls == 0 {
			n, err = m.BatchLookup(nil, &next, k, v, nil)
		} else {
			n, err = m.BatchLookup(prev, &next, k, v, nil)
		}
		calls++
		say("array BatchLookup call %d: n=%d next=%d err=%s keys=%v vals=%v",
			calls, n, next, errName(err), k[:n], v[:n])
		for i := 0; i < n; i++ {
			if k[i] < max {
				seen[k[i]]++
			}
			total++
			var w uint64
			switch {
			case k[i] < 12:
				w = uint64(k[i])*7 + 1
			case k[i] == 12 || k[i] == 13:
				w = uint64(k[i]) + 79
			}
			if v[i] != w {
				fail("array value at %d: %d want %d", k[i], v[i], w)
			}
		}
		if err != nil {
			break
		}
		prev = next
	}
	if !errors.Is(err, ebpf.ErrKeyNotExist) || total != max {
		fail("array walk: total=%d err=%v", total, err)
	}
	for i, c := range seen {
		if c != 1 {
			fail("array index %d returned %d times", i, c)
		}
	}

	// Arrays cannot delete: the kernel has no such batch operation and
	// says ENOTSUPP (524), which cilium/ebpf maps to ErrNotSupported.
	got, err = m.BatchDelete(keys[:2], nil)
	say("array BatchDelete: n=%d err=%s", got, errName(err))
	if !errors.Is(err, ebpf.ErrNotSupported) || !errors.Is(err, enotsupp) {
		fail("array BatchDelete: n=%d err=%v", got, err)
	}
	k := make([]uint32, 4)
	v := make([]uint64, 4)
	got, err = m.BatchLookupAndDelete(nil, &next, k, v, nil)
	say("array BatchLookupAndDelete: n=%d err=%s", got, errName(err))
	if !errors.Is(err, ebpf.ErrNotSupported) || !errors.Is(err, enotsupp) {
		fail("array BatchLookupAndDelete: n=%d err=%v", got, err)
	}
}

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

func main() {
	if len(os.Args) > 2 && os.Args[1] == "storm" {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "usage: go-batch-client storm N\n")
			os.Exit(2)
		}
		stormPart(n)
		if failures != 0 {
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "signals" {
		signalsPart()
		if failures != 0 {
			os.Exit(1)
		}
		return
	}
	hashPart()
	arrayPart()
	if failures != 0 {
		say("FAILED: %d checks", failures)
		os.Exit(1)
	}
	say("ok")
}
