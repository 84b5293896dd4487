#!/usr/bin/env python3
"""Bringing a repository in from another registry: Berth's sync against skopeo sync into the reference registry.

    bench/sync.py [--tags 50] [--layer-kib 256] [--big-mib 256] [--runs 3] [--quick]

An upstream (Debian's docker-registry) holds --tags tags, each a distinct image of a config and two random layers of
--layer-kib, and one more tag of a single --big-mib layer. Measured on both, each row back to back, fresh targets per run:
  - the first sync: Berth's docker_sync_importer (POST .../actions/sync/, the task polled every 50 ms until finished)
    against `skopeo sync --src docker --dest docker` into a second docker-registry (the yardstick: what an operator of
    the reference registry runs to mirror a repository);
  - a second sync of the unchanged upstream: Berth fetches each tag's manifest and nothing else; skopeo checks every
    blob and writes every manifest again;
  - Berth's peak RSS over the runs.
Every run syncs fresh images (a new upstream repository), so that
neither side holds any of them before. Medians of --runs (default 3). Needs python3, skopeo and docker-registry; everything made goes to bench/out/.
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

from servers import BASIC, publish_berth, start_berth, start_distribution

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


def berth_repository(berth, upstream, name, run):
    repository = f"mirror{run}"
    call(berth, "POST", "/pulp/api/v2/repositories/", 201, json.dumps({"id": repository, "importer_type_id": "docker_importer"}).encode(),
         {"Content-Type": "application/json"})
    config = {"feed": upstream.url, "upstream_name": name}
    call(berth, "POST", f"/pulp/api/v2/repositories/{repository}/importers/", 201,
         json.dumps({"importer_type_id": "docker_sync_importer", "importer_config": config}).encode(), {"Content-Type": "application/json"})
    return repository


def skopeo_sync(upstream, name, target, run):
    started = time.perf_counter()
    subprocess.run(["skopeo", "sync", "--src", "docker", "--dest", "docker", "--src-tls-verify=false", "--dest-tls-verify=false",
                    f"{upstream.host}/{name}", f"{target.host}/mirror{run}"], check=True, capture_output=True, text=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=50)
    parser.add_argument("--layer-kib", type=int, default=256)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5 tags of 16 KiB layers, a 4 MiB big layer, one run: checks that it works")
    args = parser.parse_args()
    if args.quick:
        args.tags, args.layer_kib, args.big_mib, args.runs = 5, 16, 4, 1

    publish_berth()
    upstream = start_distribution("sync-upstream")
    target = start_distribution("sync-target")
    if upstream is None or target is None:
        raise SystemExit("docker-registry is not installed: apt-get install -y docker-registry")
    berth = start_berth("sync-berth")
    try:
        total_mib = (args.tags * 2 * args.layer_kib / 1024) + args.big_mib
        rows = {"first sync (s)": ([], []), "second sync, unchanged (s)": ([], [])}
        for run in range(args.runs):
            name = f"library/app{run}"
            fill_upstream(upstream, name, args.tags, args.layer_kib * 1024, args.big_mib * 1024 * 1024)
            repository = berth_repository(berth, upstream, name, run)
            first, result = berth_sync(berth, repository)
            if len(result["tags_added"]) != min(args.tags + (1 if args.big_mib else 0), 100):
                raise RuntimeError(f"Berth: the sync brought {result['tags_added']}")
            second, again = berth_sync(berth, repository)
            if again["blobs_downloaded"] != 0:
                raise RuntimeError(f"Berth: the second sync downloaded {again['blobs_downloaded']} blobs")
            rows["first sync (s)"][0].append(first)
            rows["second sync, unchanged (s)"][0].append(second)
            rows["first sync (s)"][1].append(skopeo_sync(upstream, name, target, run))
            rows["second sync, unchanged (s)"][1].append(skopeo_sync(upstream, name, target, run))
        print(f"{args.tags} tags of two {args.layer_kib} KiB layers and a config, and one of {args.big_mib} MiB: {total_mib:.0f} MiB; "
              f"medians of {args.runs} runs")
        print(f"{'':32} {'Berth':>10} {'skopeo sync':>14} {'ratio':>8}")
        for label, (ours, theirs) in rows.items():
            a, b = statistics.median(ours), statistics.median(theirs)
            print(f"{label:32} {a:>10.2f} {b:>14.2f} {b / a:>7.1f}x")
        print(f"{'first sync (MiB/s)':32} {total_mib / statistics.median(rows['first sync (s)'][0]):>10.1f} "
              f"{total_mib / statistics.median(rows['first sync (s)'][1]):>14.1f}")
    finally:
        rss = berth.stop()
        upstream.stop()
        target.stop()
    print(f"Berth peak RSS: {rss} MiB")


if __name__ == "__main__":
    main()
