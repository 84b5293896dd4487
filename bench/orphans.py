#!/usr/bin/env python3
"""Orphan collection: how long it takes and how much memory it needs as units grow, and what it costs the
registry's pushes and pulls while it runs. Beside it, the reference registry's garbage collection.

    bench/orphans.py [--sizes 10000,100000] [--load-seconds 15] [--distribution-blobs 10000]

For each size N: a fresh Berth data folder is seeded (bench/Berth.Bench.Seed, through the server's own stores)
with N blob units in no repository and N/10 in a repository, each with a 1 KiB file; the server (Release build,
no grace period) then lists the orphans and collects them with DELETE /pulp/api/v2/content/orphans/, timed,
with its resident memory before and its peak after. The disk used by content/ is measured before and after.

Then, on a server seeded with the largest N, registry clients (4 pushing small images, 4 pulling them, over
keep-alive connections) run for --load-seconds without collection and again while a collection runs; pushes
and pulls per second and their p99 latency are printed for both.

The yardstick: CNCF distribution 2.8 (Debian's docker-registry) with --distribution-blobs blobs pushed and no
manifest, then `docker-registry garbage-collect` (its collection needs the registry stopped or read-only).
Everything made goes to bench/out/ (ignored by git).
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
ADMIN_PASSWORD = "bench-admin-password"
BASIC = "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True)


def rss_mb(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    return 0


def du_mb(path):
    return int(run("du", "-sm", path).stdout.split()[0]) if os.path.exists(path) else 0


class Berth:
    def __init__(self, data):
        self.port = free_port()
        self.data = data
        self.log = open(data + ".log", "a")
        dll = os.path.join(OUT, "server", "Berth.Server.dll")
        self.process = subprocess.Popen(
            ["dotnet", dll, "--urls", f"http://127.0.0.1:{self.port}", "--data-dir", data, "--Logging:LogLevel:Default=Warning",
             "--Berth:Lifecycle:OrphanGracePeriod=00:00:00", "--Berth:Lifecycle:RetentionInterval=00:00:00"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=OUT, env={**os.environ, "BERTH_ADMIN_PASSWORD": ADMIN_PASSWORD})
        deadline = time.time() + 60
        while True:
            try:
                self.request("GET", "/pulp/api/v2/status/")
                return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def request(self, method, path, body=None, timeout=3600):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Authorization": BASIC}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else None

    def stop(self):
        self.process.terminate()
        self.process.wait(60)
        self.log.close()


def seed(data, orphans, kept):
    """Fills data (afresh) with a copy of a seeded folder, seeding that once per size: seeding is slow."""
    seeded = os.path.join(OUT, f"seeded-{orphans}-{kept}")
    seconds = 0.0
    if not os.path.exists(seeded):
        seconds = seed_afresh(seeded + ".partial", orphans, kept)
        os.rename(seeded + ".partial", seeded)
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(seeded, data)
    return seconds


def seed_afresh(data, orphans, kept):
    shutil.rmtree(data, ignore_errors=True)
    if os.path.exists(data + ".log"):
        os.remove(data + ".log")
    server = Berth(data)
    server.request("POST", "/pulp/api/v2/repositories/", {"id": "kept", "registry_name": "bench/kept"})
    for importer in ("docker_blob_importer", "docker_manifest_importer"):
        server.request("POST", "/pulp/api/v2/repositories/kept/importers/", {"importer_type_id": importer})
    server.stop()
    started = time.perf_counter()
    run("dotnet", os.path.join(OUT, "seed", "Berth.Bench.Seed.dll"), data, str(orphans), str(kept), "kept")
    return time.perf_counter() - started


def collection(size):
    data = os.path.join(OUT, f"orphans-{size}")
    seconds_to_seed = seed(data, size, size // 10)  # 0 when a seeded folder was reused
    content = os.path.join(data, "content")
    disk_before = du_mb(content)
    server = Berth(data)
    try:
        started = time.perf_counter()
        listed = server.request("GET", "/pulp/api/v2/content/orphans/")
        list_seconds = time.perf_counter() - started
        rss_before = rss_mb(server.process.pid, "VmRSS")
        hwm_before = rss_mb(server.process.pid, "VmHWM")
        started = time.perf_counter()
        report = server.request("DELETE", "/pulp/api/v2/content/orphans/")["result"]
        seconds = time.perf_counter() - started
        hwm_after = rss_mb(server.process.pid, "VmHWM")
        kept = len(server.request("POST", "/pulp/api/v2/repositories/kept/search/units/", {"criteria": {}}))
    finally:
        server.stop()
    assert report["units_removed_total"] == size, report
    assert len(listed) == size and kept == size // 10, (len(listed), kept)
    return {
        "units": size, "seed_s": seconds_to_seed, "list_s": list_seconds, "collect_s": seconds,
        "units_per_s": size / seconds, "freed_mb": report["bytes_freed"] / 1024 / 1024,
        "disk_before_mb": disk_before, "disk_after_mb": du_mb(content),
        "rss_before_mb": rss_before, "hwm_before_mb": hwm_before, "hwm_after_mb": hwm_after,
    }


class Load:
    """Registry clients against Berth: pushers push small images (a layer, a config, a manifest, monolithic
    uploads), pullers pull images already pushed (manifest and both blobs, digests checked)."""

    def __init__(self, port, pushers=4, pullers=4):
        self.port, self.stop_at = port, 0.0
        self.pushed, self.lock = [], threading.Lock()
        self.pushes, self.pulls, self.errors = [], [], []
        self.threads = [threading.Thread(target=self.push_loop, args=(i,)) for i in range(pushers)]
        self.threads += [threading.Thread(target=self.pull_loop) for _ in range(pullers)]

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def call(self, connection, method, path, body=None, headers=None):
        connection.request(method, path, body=body, headers={"Authorization": BASIC, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
        return data

    def push_loop(self, index):
        connection, n = self.connection(), 0
        while time.time() < self.stop_at:
            n += 1
            layer = os.urandom(16 * 1024)
            config = json.dumps({"architecture": "amd64", "os": "linux", "n": f"{index}-{n}-{time.time()}"}).encode()
            blobs = [(layer, "application/vnd.docker.image.rootfs.diff.tar.gzip"), (config, "application/vnd.docker.container.image.v1+json")]
            started = time.perf_counter()
            try:
                for data, _ in blobs:
                    digest = "sha256:" + hashlib.sha256(data).hexdigest()
                    self.call(connection, "POST", f"/v2/bench/load/blobs/uploads/?digest={digest}", data,
                              {"Content-Type": "application/octet-stream"})
                manifest = json.dumps({
                    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {"mediaType": blobs[1][1], "size": len(config), "digest": "sha256:" + hashlib.sha256(config).hexdigest()},
                    "layers": [{"mediaType": blobs[0][1], "size": len(layer), "digest": "sha256:" + hashlib.sha256(layer).hexdigest()}],
                }).encode()
                tag = f"p{index}-{n}"
                self.call(connection, "PUT", f"/v2/bench/load/manifests/{tag}", manifest,
                          {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
                self.pushes.append((time.time(), time.perf_counter() - started))
                with self.lock:
                    self.pushed.append((tag, manifest, [hashlib.sha256(d).hexdigest() for d, _ in blobs]))
            except Exception as e:  # noqa: BLE001 - every failure is counted and reported
                self.errors.append(str(e))
                connection = self.connection()

    def pull_loop(self):
        connection = self.connection()
        while time.time() < self.stop_at:
            with self.lock:
                image = self.pushed[int.from_bytes(os.urandom(4), "big") % len(self.pushed)] if self.pushed else None
            if image is None:
                time.sleep(0.01)
                continue
            tag, manifest, digests = image
            started = time.perf_counter()
            try:
                got = self.call(connection, "GET", f"/v2/bench/load/manifests/{tag}", None,
                                {"Accept": "application/vnd.docker.distribution.manifest.v2+json"})
                assert got == manifest, tag
                for digest in digests:
                    assert hashlib.sha256(self.call(connection, "GET", f"/v2/bench/load/blobs/sha256:{digest}")).hexdigest() == digest
                self.pulls.append((time.time(), time.perf_counter() - started))
            except Exception as e:  # noqa: BLE001
                self.errors.append(str(e))
                connection = self.connection()

    def window(self, start, end):
        def rate(samples):
            inside = [s for t, s in samples if start <= t < end]
            p99 = statistics.quantiles(inside, n=100)[98] * 1000 if len(inside) > 100 else float("nan")
            return len(inside) / (end - start), p99
        return rate(self.pushes), rate(self.pulls)


def load_during_collection(size, seconds):
    data = os.path.join(OUT, "orphans-load")
    seed(data, size, size // 10)
    server = Berth(data)
    try:
        load = Load(server.port)
        warm = 3
        load.stop_at = time.time() + warm + seconds * 2 + 600
        for thread in load.threads:
            thread.start()
        time.sleep(warm)
        baseline_start = time.time()
        time.sleep(seconds)
        baseline = load.window(baseline_start, time.time())
        collect_start = time.time()
        report = server.request("DELETE", "/pulp/api/v2/content/orphans/")["result"]
        collect_end = time.time()
        during = load.window(collect_start, collect_end)
        load.stop_at = 0
        for thread in load.threads:
            thread.join()
    finally:
        server.stop()
    return baseline, during, collect_end - collect_start, report, load.errors


def distribution_gc(blobs):
    if not shutil.which("docker-registry"):
        return None
    data = os.path.join(OUT, "distribution-gc")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    port = free_port()
    config = os.path.join(OUT, "distribution-gc.yml")
    with open(config, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n")
    log = open(data + ".log", "w")
    process = subprocess.Popen(["docker-registry", "serve", config], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1)
                break
            except (OSError, urllib.error.URLError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(blobs):
            data_bytes = os.urandom(1024)
            digest = "sha256:" + hashlib.sha256(data_bytes).hexdigest()
            connection.request("POST", "/v2/bench/gc/blobs/uploads/")
            response = connection.getresponse()
            response.read()
            location = response.getheader("Location")
            connection.request("PUT", location + ("&" if "?" in location else "?") + "digest=" + digest, body=data_bytes,
                               headers={"Content-Type": "application/octet-stream"})
            response = connection.getresponse()
            response.read()
            assert response.status == 201, response.status
    finally:
        process.terminate()
        process.wait(30)
        log.close()
    disk_before = du_mb(data)
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", "docker-registry", "garbage-collect", config],
                            capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak_mb = int(result.stderr.strip().splitlines()[-1]) // 1024
    return {"blobs": blobs, "seconds": seconds, "peak_mb": peak_mb, "disk_before_mb": disk_before, "disk_after_mb": du_mb(data)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--load-seconds", type=int, default=15)
    parser.add_argument("--distribution-blobs", type=int, default=10000)
    parser.add_argument("--only-load", action="store_true", help="only the registry load beside a collection")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    os.makedirs(OUT, exist_ok=True)
    print("publishing the server and the seeder (Release)", flush=True)
    run("dotnet", "publish", os.path.join(ROOT, "server"), "-c", "Release", "-o", os.path.join(OUT, "server"))
    run("dotnet", "publish", os.path.join(ROOT, "bench", "Berth.Bench.Seed"), "-c", "Release", "-o", os.path.join(OUT, "seed"))

    if not args.only_load:
        print("\norphan collection (DELETE /pulp/api/v2/content/orphans/), N orphans + N/10 units kept in a repository")
        print(f"{'units':>8} {'seed s':>7} {'list s':>7} {'collect s':>9} {'units/s':>8} {'freed MiB':>9} "
              f"{'content MiB before/after':>24} {'RSS MiB before':>14} {'peak MiB before/after':>21}")
    for size in ([] if args.only_load else sizes):
        r = collection(size)
        print(f"{r['units']:>8} {r['seed_s']:>7.0f} {r['list_s']:>7.2f} {r['collect_s']:>9.2f} {r['units_per_s']:>8.0f} "
              f"{r['freed_mb']:>9.1f} {str(r['disk_before_mb']) + ' / ' + str(r['disk_after_mb']):>24} "
              f"{r['rss_before_mb']:>14} {str(r['hwm_before_mb']) + ' / ' + str(r['hwm_after_mb']):>21}", flush=True)

    gc = distribution_gc(args.distribution_blobs) if args.distribution_blobs > 0 and not args.only_load else None
    if gc:
        print(f"\ndistribution garbage-collect (registry stopped): {gc['blobs']} unreferenced blobs in {gc['seconds']:.2f} s "
              f"({gc['blobs'] / gc['seconds']:.0f} blobs/s), peak {gc['peak_mb']} MiB, disk {gc['disk_before_mb']} -> {gc['disk_after_mb']} MiB")
    elif not args.only_load:
        print("\n(no distribution yardstick: docker-registry is not installed, or --distribution-blobs 0)")

    size = max(sizes)
    print(f"\nregistry load (4 pushers, 4 pullers) without collection, then while {size} orphans are collected", flush=True)
    baseline, during, seconds, report, errors = load_during_collection(size, args.load_seconds)
    print(f"{'':>22} {'pushes/s':>9} {'push p99 ms':>11} {'pulls/s':>8} {'pull p99 ms':>11}")
    for name, ((push_rate, push_p99), (pull_rate, pull_p99)) in (("without collection", baseline), ("during collection", during)):
        print(f"{name:>22} {push_rate:>9.1f} {push_p99:>11.1f} {pull_rate:>8.1f} {pull_p99:>11.1f}")
    print(f"the collection took {seconds:.1f} s and removed {report['units_removed_total']} units "
          f"({report['skipped_in_use']} left in use); client errors: {len(errors)}")
    for error in errors[:5]:
        print("  ", error)


if __name__ == "__main__":
    main()
