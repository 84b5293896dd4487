#!/usr/bin/env python3
"""Berth's registry API side by side with the reference registry (CNCF distribution, Debian's docker-registry).

    bench/registry.py [--runs N] [--big-mib N] [--quick]

Both servers run side by side on loopback with fresh data, and the same clients measure both in one run, each
row on both servers back to back:
  - skopeo push and pull of a single-layer image (--big-mib, default 1024) and of a 50 x 1 MiB image; every
    repetition pushes fresh random layers to a fresh repository, since skopeo skips blobs a target already has;
  - curl monolithic upload (POST, then PUT ?digest= with -T and no Expect) and download of a --big-mib blob;
  - manifest GETs per second and p99 latency with wrk, 32 connections, after a warm-up round;
  - eight parallel skopeo pushes of distinct 64 MiB images;
  - each server's peak RSS.
Medians of --runs repetitions (default 3) are printed with the Berth/distribution ratio. Everything made goes to
bench/out/ (ignored by git). Needs python3, curl, skopeo, wrk, openssl, and docker-registry for the comparison.
"""
import argparse
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import tarfile
import time
import zlib

from servers import BASIC, CREDENTIALS, OUT, ROOT, run, start_berth, start_distribution

MIB = 1024 * 1024


def timed(*args):
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


def make_image(path, layer_sizes):
    """A skopeo dir: image of fresh random layers: each a tar of one file, gzip-wrapped (stored: random data
    does not compress, and stored blocks keep generation fast)."""
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    layers, diff_ids = [], []
    for i, size in enumerate(layer_sizes):
        tar_hash, gz_hash = hashlib.sha256(), hashlib.sha256()
        temp = os.path.join(path, "layer.tmp")
        with open(temp, "wb") as out:
            compressor = zlib.compressobj(0, zlib.DEFLATED, 31)

            class Sink(io.RawIOBase):
                def writable(self):
                    return True

                def write(self, data):
                    tar_hash.update(data)
                    chunk = compressor.compress(bytes(data))
                    gz_hash.update(chunk)
                    out.write(chunk)
                    return len(data)

            class Random(io.RawIOBase):
                def __init__(self, n):
                    self.left = n

                def readable(self):
                    return True

                def readinto(self, buffer):
                    n = min(len(buffer), self.left)
                    buffer[:n] = os.urandom(n)
                    self.left -= n
                    return n

            with tarfile.open(fileobj=Sink(), mode="w|") as tar:
                info = tarfile.TarInfo(f"layer{i}.bin")
                info.size = size
                tar.addfile(info, io.BufferedReader(Random(size), 4 * MIB))
            tail = compressor.flush()
            gz_hash.update(tail)
            out.write(tail)
        digest = gz_hash.hexdigest()
        os.rename(temp, os.path.join(path, digest))
        layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                       "size": os.path.getsize(os.path.join(path, digest)), "digest": "sha256:" + digest})
        diff_ids.append("sha256:" + tar_hash.hexdigest())
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    config_digest = hashlib.sha256(config).hexdigest()
    with open(os.path.join(path, config_digest), "wb") as f:
        f.write(config)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                           "digest": "sha256:" + config_digest},
                "layers": layers}
    with open(os.path.join(path, "manifest.json"), "w") as f:
        json.dump(manifest, f)
    with open(os.path.join(path, "version"), "w") as f:
        f.write("Directory Transport Version: 1.1\n")
    return sum(layer_sizes)


def skopeo_push(image, server, repository):
    return timed("skopeo", "copy", "-q", "--dest-tls-verify=false", "--dest-creds", CREDENTIALS,
                 f"dir:{image}", f"docker://{server.host}/{repository}:1")


def skopeo_pull(server, repository, target):
    shutil.rmtree(target, ignore_errors=True)
    return timed("skopeo", "copy", "-q", "--src-tls-verify=false", "--src-creds", CREDENTIALS,
                 f"docker://{server.host}/{repository}:1", f"dir:{target}")


def curl_upload(server, repository, blob, digest):
    headers = run("curl", "-sf", "-u", CREDENTIALS, "-D", "-", "-o", "/dev/null", "-X", "POST",
                  f"{server.url}/v2/{repository}/blobs/uploads/").stdout
    location = re.search(r"(?im)^location:\s*(\S+)", headers).group(1)
    if not location.startswith("http"):
        location = server.url + location
    location += ("&" if "?" in location else "?") + "digest=" + digest
    return timed("curl", "-sf", "-u", CREDENTIALS, "-o", "/dev/null", "-H", "Expect:", "-T", blob, location)


def wrk(url):
    script = os.path.join(OUT, "accept.lua")
    with open(script, "w") as f:
        f.write('wrk.headers["Accept"] = "application/vnd.docker.distribution.manifest.v2+json"\n')
        f.write(f'wrk.headers["Authorization"] = "{BASIC}"\n')
    # A first round warms both servers (JIT tiers, caches) so that the measured round is their steady state.
    run("wrk", "-t2", "-c32", "-d3s", "-s", script, url)
    output = run("wrk", "-t2", "-c32", "-d8s", "--latency", "-s", script, url).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"wrk got error answers from {url}:\n{output}")
    rate = float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return rate, p99_ms


def measure(servers, args, results):
    """Each row is measured on both servers back to back, the order alternating between repetitions, so that a
    machine whose speed drifts (these virtual machines do) favours neither."""
    work = os.path.join(OUT, "work")
    os.makedirs(work, exist_ok=True)
    for run_index in range(args.runs):
        order = servers if run_index % 2 == 0 else list(reversed(servers))
        tag = f"{int(time.time() * 1000)}-{run_index}"

        big = os.path.join(work, "big")
        size = make_image(big, [args.big_mib * MIB])
        for server in order:
            results.setdefault(("skopeo push, 1 layer", server.name), []).append(size / MIB / skopeo_push(big, server, f"big/{tag}"))
            results.setdefault(("skopeo pull, 1 layer", server.name), []).append(
                size / MIB / skopeo_pull(server, f"big/{tag}", os.path.join(work, "pulled")))

        many = os.path.join(work, "many")
        size = make_image(many, [MIB] * 50)
        for server in order:
            results.setdefault(("skopeo push, 50 x 1 MiB", server.name), []).append(size / MIB / skopeo_push(many, server, f"many/{tag}"))
            results.setdefault(("skopeo pull, 50 x 1 MiB", server.name), []).append(
                size / MIB / skopeo_pull(server, f"many/{tag}", os.path.join(work, "pulled")))

        blob = os.path.join(work, "blob.bin")
        with open(blob, "wb") as f:
            for _ in range(args.big_mib):
                f.write(os.urandom(MIB))
        digest = "sha256:" + run("openssl", "dgst", "-sha256", "-r", blob).stdout.split()[0]
        for server in order:
            results.setdefault(("curl upload, monolithic", server.name), []).append(args.big_mib / curl_upload(server, f"curl/{tag}", blob, digest))
            results.setdefault(("curl download", server.name), []).append(
                args.big_mib / timed("curl", "-sf", "-u", CREDENTIALS, "-o", "/dev/null", f"{server.url}/v2/curl/{tag}/blobs/{digest}"))

        images = []
        for i in range(8):
            path = os.path.join(work, f"parallel{i}")
            make_image(path, [64 * MIB])
            images.append(path)
        for server in order:
            start = time.perf_counter()
            pushes = [subprocess.Popen(["skopeo", "copy", "-q", "--dest-tls-verify=false", "--dest-creds", CREDENTIALS, f"dir:{path}",
                                        f"docker://{server.host}/parallel/{tag}-{i}:1"]) for i, path in enumerate(images)]
            if any(p.wait() != 0 for p in pushes):
                raise RuntimeError(f"a parallel push to {server.name} failed")
            results.setdefault(("8 parallel pushes of 64 MiB (s)", server.name), []).append(time.perf_counter() - start)

    for server in servers:
        rate, p99 = wrk(f"{server.url}/v2/many/{tag}/manifests/1")
        results.setdefault(("manifest GETs per second", server.name), []).append(rate)
        results.setdefault(("manifest GET p99 (ms)", server.name), []).append(p99)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--quick", action="store_true", help="one run with a 64 MiB big image, to check the script")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.big_mib = 1, 64
    os.makedirs(OUT, exist_ok=True)
    print("publishing the server (Release)", flush=True)
    run("dotnet", "publish", os.path.join(ROOT, "server"), "-c", "Release", "-o", os.path.join(OUT, "server"))

    results, rss = {}, {}
    servers = [start_berth()]
    distribution = start_distribution()
    if distribution is None:
        print("docker-registry is not installed: measuring Berth alone (apt-get install -y docker-registry)")
    else:
        servers.append(distribution)
    print("measuring " + " and ".join(s.name for s in servers), flush=True)
    try:
        measure(servers, args, results)
    finally:
        for server in servers:
            rss[server.name] = server.stop()
            shutil.rmtree(server.data, ignore_errors=True)

    rows = sorted({row for row, _ in results}, key=list(dict.fromkeys(r for r, _ in results)).index)
    lower_is_better = {"8 parallel pushes of 64 MiB (s)", "manifest GET p99 (ms)"}
    print(f"\nmedians of {args.runs} runs; rates in MiB/s unless said; {os.cpu_count()} cores")
    print(f"{'':36} {'Berth':>10} {'distribution':>13} {'Berth/dist':>11}")
    for row in rows:
        berth = statistics.median(results.get((row, "Berth"), [float("nan")]))
        dist = statistics.median(results.get((row, "distribution"), [float("nan")]))
        ratio = (dist / berth if row in lower_is_better else berth / dist) if dist == dist else float("nan")
        print(f"{row:36} {berth:10.1f} {dist:13.1f} {ratio:10.2f}x")
    print(f"{'peak RSS (MB)':36} {rss.get('Berth', 0):10d} {rss.get('distribution', 0):13d}")
    print("(Berth/dist: how many times better Berth is; for times and latency the inverse ratio)")


if __name__ == "__main__":
    main()
