#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
"""Parse the Kubernetes examples and check the parts bpfbatch depends on:
the shared volume is mounted where the commands expect it, and the tool is
started through bpfbatch. Exit 77 (skip) without PyYAML."""
import sys

try:
    import yaml
except ImportError:
    print("PyYAML missing: skipped")
    sys.exit(77)

def check(path):
    doc = yaml.safe_load(open(path))
    assert doc["apiVersion"] == "v1" and doc["kind"] == "Pod", path
    spec = doc["spec"]
    vols = {v["name"] for v in spec["volumes"]}
    init, app = spec["initContainers"][0], spec["containers"][0]
    for c in (init, app):
        for m in c["volumeMounts"]:
            assert m["name"] in vols, f"{path}: unknown volume {m['name']}"
    mount = app["volumeMounts"][0]["mountPath"]
    assert init["volumeMounts"][0]["mountPath"] == mount, path
    assert init["command"][-1].rstrip("/") == mount, f"{path}: init copies elsewhere"
    assert app["command"][0].startswith(mount + "/"), f"{path}: tool not started via bpfbatch"
    assert "--" in app["command"], f"{path}: no '--' before the tool"
    print(f"ok - {path}")

for p in sys.argv[1:]:
    check(p)
