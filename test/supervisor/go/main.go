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
//
// The parts: hash.go, array.go (the transcript), signals.go, storm.go.
package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"

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
