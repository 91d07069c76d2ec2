// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause

// The array part of the transcript: every call's result is printed.

package main

import (
	"errors"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

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
