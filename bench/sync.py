#!/usr/bin/env python3
"""Bringing a repository in from another registry: Berth's sync against skopeo sync into Berth, from one upstream.

    bench/sync.py [--tags 200] [--layer-kib 16] [--big-mib 1024] [--runs 3] [--quick]

The upstream is Debian's docker-registry on loopback. Two scenarios, each filled with fresh images for every run (so
that nothing is held before): one tag of a single --big-mib layer, and --tags tags, each a distinct image of a config and
two random layers of --layer-kib. In each, back to back:
  - Berth's docker_sync_importer syncs it into a new repository (POST .../actions/sync/, the task polled every 50 ms
    until finished), then again with nothing changed upstream;
  - `skopeo sync --src docker --dest docker` copies it into a new repository of the same Berth, then again (the
    yardstick the issue names: the tool an operator would otherwise run);
  - Berth's peak RSS over everything.
Medians of --runs (default 3). Needs python3, skopeo and docker-registry; everything made goes to bench/out/.
"""
import argparse
import hashlib
import http.client
import json
import os
import statistics
import subprocess
import time
import urllib.parse

from servers import BASIC, CREDENTIALS, publish_berth, start_berth, start_distribution

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def call(server, method, path, expect, body=None, headers=None):
    connection = http.client.HTTPConnection(server.host, timeout=600)
    try:
        auth = {"Authorization": BASIC} if server.name == "Berth" else {}
        connection.request(method, path, body=body, headers={**auth, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        if response.status != expect:
            raise RuntimeError(f"{server.name}: {method} {path}: {response.status} {data[:300]!r}")
        return response, data
    finally:
        connection.close()


def push_blob(server, name, blob):
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    response, _ = call(server, "POST", f"/v2/{name}/blobs/uploads/", 202)
    parts = urllib.parse.urlsplit(response.getheader("Location"))
    query = parts.query + "&" if parts.query else ""
    call(server, "PUT", f"{parts.path}?{query}digest={digest}", 201, blob, {"Content-Type": "application/octet-stream"})
    return {"mediaType": LAYER_TYPE, "size": len(blob), "digest": digest}


def push_image(server, name, tag, layers):
    descriptors = [push_blob(server, name, layer) for layer in layers]
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"tag": tag, "nonce": os.urandom(8).hex()}},
                         "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]}}).encode()
    config_descriptor = push_blob(server, name, config) | {"mediaType": CONFIG_TYPE}
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE, "config": config_descriptor, "layers": descriptors}).encode()
    call(server, "PUT", f"/v2/{name}/manifests/{tag}", 201, manifest, {"Content-Type": MANIFEST_TYPE})


def fill_upstream(upstream, name, tags, layer_bytes, big_bytes):
    """Fresh random images under NAME: neither Berth nor the target holds any of their blobs yet."""
    for i in range(tags):
        push_image(upstream, name, f"t{i}", [os.urandom(layer_bytes), os.urandom(layer_bytes)])
    if big_bytes:
        push_image(upstream, name, "big", [os.urandom(big_bytes)])


def berth_sync(berth, repository):
    """One sync of REPOSITORY, timed from the request until its task is finished; its result."""
    started = time.perf_counter()
    _, body = call(berth, "POST", f"/pulp/api/v2/repositories/{repository}/actions/sync/", 202, b"{}", {"Content-Type": "application/json"})
    href = json.loads(body)["spawned_tasks"][0]["_href"]
    while True:
        _, body = call(berth, "GET", href, 200)
        task = json.loads(body)
        if task["state"] not in ("waiting", "running"):
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if task["state"] != "finished":
        raise RuntimeError(f"Berth: the sync ended {task['state']}: {task['error']}")
    return seconds, task["result"]


def berth_repository(berth, upstream, name, suffix):
    # As Pulp 2's clients make one: docker_importer (upload and sync importers) with the feed, in one call.
    repository = f"mirror{suffix}"
    config = {"feed": upstream.url, "upstream_name": name}
    call(berth, "POST", "/pulp/api/v2/repositories/", 201,
         json.dumps({"id": repository, "importer_type_id": "docker_importer", "importer_config": config}).encode(),
         {"Content-Type": "application/json"})
    return repository


def skopeo_sync(upstream, name, berth, target):
    started = time.perf_counter()
    subprocess.run(["skopeo", "sync", "--src", "docker", "--dest", "docker", "--src-tls-verify=false", "--dest-tls-verify=false",
                    f"--dest-creds={CREDENTIALS}", f"{upstream.host}/{name}", f"{berth.host}/{target}"], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=200)
    parser.add_argument("--layer-kib", type=int, default=16)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 tags, a 4 MiB layer, one run: checks that it works")
    args = parser.parse_args()
    if args.quick:
        args.tags, args.big_mib, args.runs = 5, 4, 1

    publish_berth()
    upstream = start_distribution("sync-upstream")
    if upstream is None:
        raise SystemExit("docker-registry is not installed: apt-get install -y docker-registry")
    berth = start_berth("sync-berth")
    scenarios = [(f"one {args.big_mib} MiB layer", 0, args.big_mib * 1024 * 1024, 1),
                 (f"{args.tags} tags of small images", args.tags, 0, args.tags)]
    rows = []
    try:
        for s, (label, tags, big_bytes, expected_tags) in enumerate(scenarios):
            times = {"berth": [], "berth again": [], "skopeo": [], "skopeo again": []}
            for run in range(args.runs):
                name = f"library/s{s}r{run}"
                fill_upstream(upstream, name, tags, args.layer_kib * 1024, big_bytes)
                repository = berth_repository(berth, upstream, name, f"{s}x{run}")
                first, result = berth_sync(berth, repository)
                if len(result["tags_added"]) != min(expected_tags, 100) or result["blobs_present"] != 0:
                    raise RuntimeError(f"Berth: the first sync brought {len(result['tags_added'])} tags, {result['blobs_present']} blobs already held")
                again, unchanged = berth_sync(berth, repository)
                if unchanged["blobs_downloaded"] != 0 or unchanged["tags_unchanged"] != expected_tags:
                    raise RuntimeError(f"Berth: the second sync was not a no-change one: {unchanged}")
                times["berth"].append(first)
                times["berth again"].append(again)
                times["skopeo"].append(skopeo_sync(upstream, name, berth, f"skopeo{s}x{run}"))
                times["skopeo again"].append(skopeo_sync(upstream, name, berth, f"skopeo{s}x{run}"))
            rows.append((label, {k: statistics.median(v) for k, v in times.items()}))
    finally:
        rss = berth.stop()
        upstream.stop()

    print(f"medians of {args.runs} runs, seconds")
    print(f"{'':34} {'Berth sync':>11} {'skopeo sync':>12} {'ratio':>7} | {'no-change: Berth':>17} {'skopeo':>8} {'ratio':>7}")
    for label, m in rows:
        print(f"{label:34} {m['berth']:>11.2f} {m['skopeo']:>12.2f} {m['skopeo'] / m['berth']:>6.1f}x | "
              f"{m['berth again']:>17.2f} {m['skopeo again']:>8.2f} {m['skopeo again'] / m['berth again']:>6.1f}x")
    print(f"Berth peak RSS: {rss} MiB")


if __name__ == "__main__":
    main()
