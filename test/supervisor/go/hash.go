// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause

// The hash map part of the transcript: walks, updates and deletes.

package main

import (
	"errors"
	"os"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

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
