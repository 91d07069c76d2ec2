#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Run one of bcc's real Python table methods on a BPF hash map and check it.

    /usr/bin/python3 test/accel/bcc_table.py --entries N --op OP [--fill elem|batch]

OP is items, values, keys, len or clear (the per-element paths a bcc tool
uses: GET_NEXT_KEY walks plus LOOKUP_ELEM / DELETE_ELEM), or
items_lookup_batch / items_lookup_and_delete_batch (bcc's batch API). The
map (hash, u64 -> u64, max_entries = N unless --max-entries) is filled with N
entries, by bcc's `table[k] = v` (--fill elem, N UPDATE_ELEM) or by
`items_update_batch` (--fill batch, one UPDATE_BATCH). The script checks the
result itself and prints one JSON line; exit 0 if right, 1 if wrong, 77
(skip) when bcc is not importable (Debian: apt-get install python3-bpfcc).

Why no BPF program: `BPF(text=...)` needs clang and kernel headers. The table
classes need neither: TableBase.__init__ reads only `bpf.module`, and
libbcc's bpf_table_*_id() accept a NULL module (type/flags -1, max_entries
0), so a stand-in with `module = None` plus a map fd from libbcc's own
bcc_create_map() gives a genuine bcc.table.HashTable (bcc 0.18 .. 0.37).
Only max_entries must be set by hand (the batch methods size their buffers
with it); the sprintf/sscanf helpers and the Table() factory need a real
module and are not used. Every bpf(2) call still goes libbcc -> libbpf ->
glibc syscall(), so LD_PRELOAD=libbpfbatch.so sees exactly what it would
under a real bcc tool.
"""
import argparse
import ctypes as ct
import errno
import json
import os
import sys
import time

try:
    from bcc import table
    from bcc.libbcc import lib
except ImportError as e:
    print(f"bcc not importable ({e}): skipped")
    sys.exit(77)

BPF_MAP_TYPE_HASH = 1
BPF_MAP_GET_NEXT_KEY = 4
NR_BPF = {"x86_64": 321, "aarch64": 280}.get(os.uname().machine, 321)
U64 = ct.c_uint64
OPS = ("items", "values", "keys", "len", "clear",
       "items_lookup_batch", "items_lookup_and_delete_batch")


class _NoModule:
    """Stands in for bcc.BPF: the table code only reads .module."""
    module = None


def make_table(max_entries):
    lib.bcc_create_map.restype = ct.c_int
    lib.bcc_create_map.argtypes = [ct.c_int, ct.c_char_p, ct.c_int, ct.c_int,
                                   ct.c_int, ct.c_int]
    fd = lib.bcc_create_map(BPF_MAP_TYPE_HASH, b"bcc_table_test",
                            ct.sizeof(U64), ct.sizeof(U64), max_entries, 0)
    if fd < 0:
        raise OSError(ct.get_errno(), "bcc_create_map: " + os.strerror(ct.get_errno()))
    t = table.HashTable(_NoModule(), 0, fd, U64, U64)
    t.max_entries = max_entries
    return t


def value_of(k):
    return (k * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF


def map_is_empty(fd):
    """Independent check: raw bpf(BPF_MAP_GET_NEXT_KEY, key=NULL) -> ENOENT."""
    class Attr(ct.Structure):
        _fields_ = [("map_fd", ct.c_uint32), ("pad", ct.c_uint32),
                    ("key", ct.c_uint64), ("next_key", ct.c_uint64)]
    libc = ct.CDLL(None, use_errno=True)
    libc.syscall.restype = ct.c_long
    nk = U64()
    attr = Attr(map_fd=fd, key=0, next_key=ct.addressof(nk))
    r = libc.syscall(ct.c_long(NR_BPF), ct.c_long(BPF_MAP_GET_NEXT_KEY),
                     ct.byref(attr), ct.c_uint(ct.sizeof(attr)))
    return r == -1 and ct.get_errno() == errno.ENOENT


def num(x):
    """bcc yields ctypes objects, except the batch methods (plain ints)."""
    return getattr(x, "value", x)


def check_pairs(pairs, keys):
    """(key, value) ints: every key once, with its value."""
    got = {}
    for k, v in pairs:
        if k in got:
            return f"key {k} returned twice"
        got[k] = v
    if got.keys() != keys:
        return f"{len(got)} keys returned, {len(got.keys() ^ keys)} differ from the {len(keys)} stored"
    bad = [k for k, v in got.items() if v != value_of(k)]
    return f"{len(bad)} wrong values (key {bad[0]})" if bad else None


def run(t, op, keys):
    """Returns (seconds, what came back, error or None)."""
    n = len(keys)
    start = time.perf_counter()
    if op == "items":
        out = t.items()
    elif op == "values":
        out = t.values()
    elif op == "keys":
        out = list(t.keys())
    elif op == "len":
        out = len(t)
    elif op == "clear":
        out = t.clear()
    elif op == "items_lookup_batch":
        out = list(t.items_lookup_batch())
    else:
        out = list(t.items_lookup_and_delete_batch())
    seconds = time.perf_counter() - start

    if op == "len":
        return seconds, out, None if out == n else f"len {out} != {n}"
    if op == "clear":
        return seconds, None, None if map_is_empty(t.map_fd) else "map not empty after clear()"
    if op == "keys":
        ks = [num(k) for k in out]
        err = f"{len(ks)} keys, {len(set(ks))} distinct" if len(set(ks)) != len(ks) else None
        return seconds, len(ks), err or (None if set(ks) == keys else "wrong key set")
    if op == "values":
        want = sorted(value_of(k) for k in keys)
        return seconds, len(out), None if sorted(num(v) for v in out) == want else "wrong values"
    err = check_pairs(((num(k), num(v)) for k, v in out), keys)
    if not err and op == "items_lookup_and_delete_batch" and not map_is_empty(t.map_fd):
        err = "map not empty after lookup_and_delete"
    return seconds, len(out), err


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--entries", type=int, required=True)
    ap.add_argument("--op", choices=OPS, required=True)
    ap.add_argument("--fill", choices=("elem", "batch"), default="elem")
    ap.add_argument("--max-entries", type=int, help="default: --entries")
    a = ap.parse_args()
    max_entries = a.max_entries or a.entries
    if a.entries < 1 or max_entries < a.entries:
        ap.error("need 1 <= entries <= max-entries")

    t = make_table(max_entries)
    keys = set(range(1, a.entries + 1))
    res = {"op": a.op, "entries": a.entries, "max_entries": max_entries,
           "fill": a.fill, "preload": os.environ.get("LD_PRELOAD", "")}
    try:  # bcc raises a bare Exception when a bpf command fails
        start = time.perf_counter()
        if a.fill == "elem":
            for k in keys:
                t[U64(k)] = U64(value_of(k))
        else:
            ks = (U64 * a.entries)(*keys)
            t.items_update_batch(ks, (U64 * a.entries)(*(value_of(k) for k in ks)))
        res["fill_seconds"] = round(time.perf_counter() - start, 6)
        seconds, res["returned"], err = run(t, a.op, keys)
        res["seconds"] = round(seconds, 6)
    except Exception as e:
        err = f"{type(e).__name__}: {e}"
    os.close(t.map_fd)
    res["ok"] = err is None
    if err:
        res["error"] = err
    print(json.dumps(res))
    return 0 if err is None else 1


if __name__ == "__main__":
    sys.exit(main())
