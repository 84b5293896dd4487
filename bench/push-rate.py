#!/usr/bin/env python3
"""Push rate of tiny images (issue 11, "pushes as fast as the disk allows"): Berth beside the reference registry
(CNCF distribution 2.8, Debian's docker-registry, filesystem storage, no auth) on loopback.

    bench/push-rate.py [--clients 1,8,32] [--images 40] [--runs 1] [--warmup 1000] [--warmup-seconds 20]
                       [--berth-first] [--quick] [--baseline-dir DIR]

For each N in --clients, N concurrent clients (threads released together by a barrier), each over one kept-alive
HTTP/1.1 connection into its own repository bench/cI, push --images distinct images tagged t0, t1, ...: per image a
random 4 KiB layer and a small config blob, each a monolithic two-step upload (POST /v2/NAME/blobs/uploads/, then
PUT ?digest= with the body), then PUT /v2/NAME/manifests/TAG of a Docker schema2 manifest naming both. Measured:
per image the push latency (first request to the manifest's 201; p50 and p99) and images/s (all images over the
wall time from the barrier to the last client's finish). Then the same clients pull every image (GET of the
manifest by tag and of both blobs, bodies checked): pull images/s.

Each server is started afresh, with a fresh data folder, for every N and every run, and warmed up by N clients
pushing and pulling in rounds (into bench/warmR-I) until --warmup images and --warmup-seconds have passed, before the
measured clients start: a fresh .NET process runs at about 60% of its steady rate during its first 15-20 s of load.
Per N, distribution is measured first, then Berth (--berth-first for the reverse). Medians of --runs runs. Client
and server CPU time are taken from os.times() and /proc; a client that used more than 70% of one core may have been
the limit, and the output says so. Berth gets Basic auth with the admin credentials (BERTH_ADMIN_PASSWORD=bench-admin-password),
distribution none. With --baseline-dir, another published Berth (an older build: publish one as bench/README.md says
for memory.py) is measured as a third server, the order of the three reversed every other run, and a last table
gives Berth against it: the A/B that judges a change when the machine's speed drifts between runs.
Any unexpected status or body ends the benchmark with a message and a non-zero exit.
Everything made goes to bench/out/ (ignored by git). Needs python3, dotnet and docker-registry.
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import statistics
import sys
import threading
import time
import urllib.parse

from radosgw import RadosGateway
from servers import BASIC, OUT, cpu_seconds, PostgreSql, publish_berth, start_berth, start_berth_on_postgresql, start_berth_on_postgresql_and_s3, start_distribution

LAYER_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
LAYER_BYTES = 4096
CLIENT_CPU_LIMIT = 0.70  # of one core: above it the client may be what limits the rate


class Failure(Exception):
    """An unexpected status or body: the benchmark stops."""


# -------------------------------------------------------------------------------------------------------------------
# SERVER-SIDE BREAKDOWN (issue 11). Berth keeps running totals of its instruments (count and sum of each: time waiting
# for the metadata writer, in a transaction, waiting for the flush that makes it durable, flushes, fsyncs of files and
# folders, hashing, upload segments, whole imports; store reads and requests). They are fetched (GET, admin credentials)
# before and after each measured push phase; what grew is printed per image under that run's line.
BREAKDOWN_PATH = "/pulp/api/v2/status/metrics/"


def fetch_breakdown(server):
    if server.name != "Berth":
        return None
    connection = http.client.HTTPConnection(server.host, timeout=30)
    connection.request("GET", BREAKDOWN_PATH, headers={"Authorization": BASIC})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise Failure(f"Berth: GET {BREAKDOWN_PATH}: {response.status} {body[:300]!r}")
    return json.loads(body)


def print_breakdown(before, after, images, phase):
    if after is None:
        return
    print(f"      server-side, per {phase} image ({BREAKDOWN_PATH}):   count       ms   (summed over concurrent requests)")
    grown = {}
    for name, total in sorted(after.items()):
        start = before.get(name, {"count": 0, "sum": 0})
        grown[name] = (total["count"] - start["count"], total["sum"] - start["sum"], total.get("unit"))
    for name, (count, total, unit) in grown.items():
        # A histogram (ms): how many it timed, and their sum; a counter: what it counted.
        shown = f"{count / images:8.2f} {total / images:8.2f}" if unit == "ms" else f"{total / images:8.2f}"
        print(f"        {name:44} {shown}")
    requests = grown.get("berth.http.requests", (0, 0, None))[1]
    reads = grown.get("berth.store.reads", (0, 0, None))[1]
    if requests:
        print(f"        metadata reads per request: {reads / requests:.2f} ({reads / images:.1f} per image, {requests / images:.1f} requests)")
# -------------------------------------------------------------------------------------------------------------------


def make_images(repository, count):
    """Distinct images for one client, ready to send (random layer, config naming it, manifest naming both)."""
    images = []
    nonce = os.urandom(8).hex()
    for j in range(count):
        layer = os.urandom(LAYER_BYTES)
        layer_digest = "sha256:" + hashlib.sha256(layer).hexdigest()
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "config": {"Labels": {"bench": f"{repository}:t{j}:{nonce}"}},
                             "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
        config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
        manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                               "config": {"mediaType": CONFIG_TYPE, "size": len(config), "digest": config_digest},
                               "layers": [{"mediaType": LAYER_TYPE, "size": len(layer), "digest": layer_digest}]}).encode()
        images.append((f"t{j}", ((layer, layer_digest), (config, config_digest)), manifest))
    return images


class Client(threading.Thread):
    def __init__(self, server, repository, images, push_barrier, pull_barrier, abort):
        super().__init__(daemon=True)
        self.server, self.repository, self.images = server, repository, images
        self.push_barrier, self.pull_barrier, self.abort = push_barrier, pull_barrier, abort
        self.auth = {"Authorization": BASIC} if server.name == "Berth" else {}
        self.latencies, self.pushed_at, self.pulled_at = [], None, None
        self.reconnects, self.error = 0, None
        self.connection = http.client.HTTPConnection(server.host, timeout=120)

    def call(self, method, path, expect, body=None, headers=None):
        self.connection.request(method, path, body=body, headers={**self.auth, **(headers or {})})
        response = self.connection.getresponse()
        data = response.read()
        if response.will_close:
            self.reconnects += 1  # the server ended the connection: http.client opens a new one for the next request
        if response.status != expect:
            raise Failure(f"{self.server.name}: {method} {path}: {response.status} {response.reason} "
                          f"(expected {expect}) {data[:300]!r}")
        return response, data

    def push(self, tag, blobs, manifest):
        for blob, digest in blobs:
            response, _ = self.call("POST", f"/v2/{self.repository}/blobs/uploads/", 202)
            location = response.getheader("Location")
            if not location:
                raise Failure(f"{self.server.name}: POST /v2/{self.repository}/blobs/uploads/ gave no Location")
            parts = urllib.parse.urlsplit(location)  # distribution answers an absolute URL, Berth a path
            query = parts.query + "&" if parts.query else ""
            self.call("PUT", f"{parts.path}?{query}digest={digest}", 201, blob, {"Content-Type": "application/octet-stream"})
        self.call("PUT", f"/v2/{self.repository}/manifests/{tag}", 201, manifest, {"Content-Type": MANIFEST_TYPE})

    def pull(self, tag, blobs, manifest):
        _, got = self.call("GET", f"/v2/{self.repository}/manifests/{tag}", 200, headers={"Accept": MANIFEST_TYPE})
        if got != manifest:
            raise Failure(f"{self.server.name}: GET /v2/{self.repository}/manifests/{tag}: not the manifest pushed")
        for blob, digest in blobs:
            _, got = self.call("GET", f"/v2/{self.repository}/blobs/{digest}", 200)
            if got != blob:
                raise Failure(f"{self.server.name}: GET /v2/{self.repository}/blobs/{digest}: not the blob pushed")

    def run(self):
        try:
            self.connection.connect()
            self.push_barrier.wait()
            for image in self.images:
                if self.abort.is_set():
                    return
                started = time.perf_counter()
                self.push(*image)
                self.latencies.append(time.perf_counter() - started)
            self.pushed_at = time.perf_counter()
            self.pull_barrier.wait()
            for image in self.images:
                if self.abort.is_set():
                    return
                self.pull(*image)
            self.pulled_at = time.perf_counter()
        except threading.BrokenBarrierError:
            pass  # another client failed
        except Exception as e:  # noqa: BLE001 - any failure stops every client and the benchmark
            self.error = f"{self.repository}: {type(e).__name__}: {e}"
            self.abort.set()
            self.push_barrier.abort()
            self.pull_barrier.abort()
        finally:
            self.connection.close()


def process_written_bytes(pid):
    try:
        with open(f"/proc/{pid}/io") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("write_bytes:"))
    except (OSError, StopIteration):
        return float("nan")


def snapshot(server):
    times = os.times()
    return {"wall": time.perf_counter(), "client_cpu": times.user + times.system,
            "server_cpu": cpu_seconds([server.process.pid]), "server_written": process_written_bytes(server.process.pid)}


def measure(server, clients, images, prefix):
    """N clients push, then pull, M images each; the figures of both phases."""
    marks = {}
    breakdowns = {}

    def mark(phase):
        def action():
            breakdowns[phase] = fetch_breakdown(server)
            # After the breakdown's own request, which belongs to neither phase.
            marks[phase] = snapshot(server)
        return action

    push_barrier = threading.Barrier(clients, action=mark("push"))
    pull_barrier = threading.Barrier(clients, action=mark("pull"))
    abort = threading.Event()
    threads = [Client(server, f"bench/{prefix}{i}", make_images(f"bench/{prefix}{i}", images), push_barrier, pull_barrier, abort)
               for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    marks["end"] = snapshot(server)
    errors = [t.error for t in threads if t.error]
    if errors:
        raise Failure("; ".join(errors[:5]) + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""))
    breakdowns["end"] = fetch_breakdown(server)

    total = clients * images
    push_wall = max(t.pushed_at for t in threads) - marks["push"]["wall"]
    pull_wall = max(t.pulled_at for t in threads) - marks["pull"]["wall"]
    latencies = sorted(s * 1000 for t in threads for s in t.latencies)

    def used(field, start, end, wall):
        return (marks[end][field] - marks[start][field]) / wall

    return {
        "push_rate": total / push_wall,
        "p50": statistics.median(latencies),
        "p99": statistics.quantiles(latencies, n=100, method="inclusive")[98] if len(latencies) > 1 else latencies[0],
        "pull_rate": total / pull_wall,
        "client_push_cpu": used("client_cpu", "push", "pull", push_wall),
        "client_pull_cpu": used("client_cpu", "pull", "end", pull_wall),
        "server_push_cpu": used("server_cpu", "push", "pull", push_wall),
        "server_pull_cpu": used("server_cpu", "pull", "end", pull_wall),
        "written_kib": (marks["pull"]["server_written"] - marks["push"]["server_written"]) / 1024 / total,
        "reconnects": sum(t.reconnects for t in threads),
        "breakdown": (breakdowns["push"], breakdowns["pull"]),
        "pull_breakdown": (breakdowns["pull"], breakdowns["end"]),
    }


def warm_up(server, clients, images, seconds):
    """Rounds of the workload by as many clients as are measured (a server in service is warm at the concurrency it
    serves), until IMAGES have been pushed and SECONDS have passed: .NET compiles hot code again, optimised with what
    it saw, during a fresh Berth's first 15-20 s of load, and until then pushes run at about 60% of their steady rate.
    Each round's rate is printed, so that how a cold server does stays visible."""
    if images <= 0 and seconds <= 0:
        return
    started, pushed, rates = time.perf_counter(), 0, []
    while pushed < images or time.perf_counter() - started < seconds:
        # The images first; then rounds of the measured size, until the time has passed too.
        per_client = max(1, images // clients) if images > 0 and not rates else 40
        r = measure(server, clients, per_client, f"warm{len(rates)}-")
        pushed += clients * per_client
        rates.append(r["push_rate"])
    print(f"  N={clients:<3} warm-up {server.name:12} {pushed} images in {time.perf_counter() - started:.0f} s, "
          f"push images/s by round: " + " ".join(f"{rate:.0f}" for rate in rates), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts N (default 1,8,32)")
    parser.add_argument("--images", type=int, default=40, help="images pushed by each client (default 40)")
    parser.add_argument("--runs", type=int, default=1, help="repetitions per N and server; medians are printed")
    parser.add_argument("--warmup", type=int, default=1000, help="images the N clients push and pull between them before each measurement")
    parser.add_argument("--warmup-seconds", type=float, default=20,
                        help="warm-up rounds go on until this many seconds have passed too (default 20)")
    parser.add_argument("--berth-first", action="store_true", help="measure Berth before distribution for each N")
    parser.add_argument("--quick", action="store_true", help="clients 1,8, 10 images and a warm-up of 50 images with no time, to check the script")
    parser.add_argument("--baseline-dir", help="another published Berth (an older build) measured as a third server; "
                                               "the order of the servers is then reversed every other run")
    parser.add_argument("--postgresql", action="store_true",
                        help="measure a third server: Berth with its metadata in PostgreSQL (a throwaway cluster of Debian's postgresql)")
    parser.add_argument("--s3", metavar="BUCKET_URL",
                        help="with --postgresql, measure a fourth server: Berth on PostgreSQL with its content in this existing "
                             "bucket (http://HOST:PORT/BUCKET, keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; see bench/README.md)")
    parser.add_argument("--radosgw", action="store_true",
                        help="as --s3, on a bucket of a throwaway radosgw this script starts (bench/radosgw.py, objects in memory)")
    args = parser.parse_args()
    if args.quick:
        args.clients, args.images, args.warmup, args.warmup_seconds = "1,8", 10, 50, 0
    counts = [int(n) for n in args.clients.split(",")]
    if args.images < 1 or args.runs < 1 or min(counts) < 1:
        parser.error("--clients, --images and --runs must be positive")

    gateway = None
    print("publishing the server (Release)", flush=True)
    os.makedirs(OUT, exist_ok=True)
    publish_berth()
    starts = [("distribution", start_distribution), ("Berth", start_berth)]
    if args.berth_first:
        starts.reverse()
    if args.baseline_dir:
        starts.append(("baseline", lambda name: start_berth(name, server_dir=args.baseline_dir)))
    if args.radosgw:
        if args.s3 or not args.postgresql:
            parser.error("--radosgw starts the bucket --s3 names: give one of them, and --postgresql")
        gateway = RadosGateway()
        os.environ.update(gateway.environment())
        args.s3 = gateway.create_bucket("push-rate")
    postgresql = PostgreSql("push-rate-postgresql") if args.postgresql else None
    if postgresql:
        starts.append(("Berth-PG", lambda name: start_berth_on_postgresql(postgresql, name)))
    if args.s3:
        if not postgresql:
            parser.error("--s3 measures Berth on PostgreSQL and S3: give --postgresql too")
        starts.append(("Berth-PG-S3", lambda name: start_berth_on_postgresql_and_s3(postgresql, args.s3, name)))
    have_distribution = True
    results = {}
    print(f"N clients x {args.images} images (4 KiB layer, config, schema2 manifest), {args.runs} run(s), "
          f"warm-up {args.warmup} images and {args.warmup_seconds:g} s; per run: push images/s, p50/p99 ms, pull images/s, CPU in % of one core", flush=True)
    try:
        for n in counts:
            for run_index in range(args.runs):
                # With a baseline, an A/B of two Berth builds: the order alternates so that a drifting machine favours none.
                for name, start in (starts[::-1] if args.baseline_dir and run_index % 2 else starts):
                    server = start(f"push-rate-{name.lower()}-n{n}")
                    if server is None:
                        have_distribution = False
                        continue
                    try:
                        warm_up(server, n, args.warmup, args.warmup_seconds)
                        r = measure(server, n, args.images, "c")
                    finally:
                        server.stop()
                        shutil.rmtree(server.data, ignore_errors=True)
                    results.setdefault((n, name), []).append(r)
                    print(f"  N={n:<3} run {run_index + 1} {name:12} push {r['push_rate']:8.1f}/s  p50 {r['p50']:7.1f}  "
                          f"p99 {r['p99']:7.1f}  pull {r['pull_rate']:8.1f}/s  CPU push: server {r['server_push_cpu']:4.0%} "
                          f"client {r['client_push_cpu']:4.0%}, pull: server {r['server_pull_cpu']:4.0%} "
                          f"client {r['client_pull_cpu']:4.0%}" + (f"  reconnects {r['reconnects']}" if r["reconnects"] else ""),
                          flush=True)
                    print_breakdown(*r["breakdown"], n * args.images, "pushed")
                    print_breakdown(*r["pull_breakdown"], n * args.images, "pulled")
    except Failure as e:
        print(f"\npush-rate: FAILED: unexpected answer: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        if postgresql:
            postgresql.stop()
        if gateway:
            gateway.stop()
    if not have_distribution:
        print("docker-registry is not installed: Berth alone (apt-get install -y docker-registry)")

    def median(n, name, key):
        values = [r[key] for r in results.get((n, name), [])]
        return statistics.median(values) if values else float("nan")

    columns = (("push images/s", "push_rate", False), ("push p50 ms", "p50", True), ("push p99 ms", "p99", True),
               ("pull images/s", "pull_rate", False))
    print(f"\npush rate, {args.images} images per client, medians of {args.runs} run(s); {os.cpu_count()} cores; "
          f"ratio: how many times better Berth is (Berth/dist, for latency dist/Berth)")
    print(("     " + "".join(f"{title:^27}" for title, _, _ in columns)).rstrip())
    print((f"{'N':>4} " + f"{'Berth':>9}{'dist':>9}{'ratio':>8} " * len(columns)).rstrip())
    for n in counts:
        line = f"{n:>4} "
        for _, key, lower_is_better in columns:
            berth, dist = median(n, "Berth", key), median(n, "distribution", key)
            ratio = dist / berth if lower_is_better else berth / dist
            line += f"{berth:9.1f}{dist:9.1f}{ratio:7.2f}x "
        print(line.rstrip())

    if args.baseline_dir:
        print(f"\nBerth against the baseline ({args.baseline_dir}), medians; ratio: how many times better Berth is")
        print(f"{'N':>4} {'push images/s':>14} {'baseline':>9} {'ratio':>7} {'push p99 ms':>12} {'baseline':>9} {'ratio':>7}")
        for n in counts:
            rate, base_rate = median(n, "Berth", "push_rate"), median(n, "baseline", "push_rate")
            p99, base_p99 = median(n, "Berth", "p99"), median(n, "baseline", "p99")
            print(f"{n:>4} {rate:14.1f} {base_rate:9.1f} {rate / base_rate:6.2f}x {p99:12.1f} {base_p99:9.1f} {base_p99 / p99:6.2f}x")

    def compare(name, against, title, note):
        print(f"\n{title}, medians; ratio: {name} over {against}")
        print(f"{'N':>4} {'push images/s':>14} {against:>9} {'ratio':>7} {'push p99 ms':>12} {against:>9} "
              f"{'pull images/s':>14} {against:>9} {'ratio':>7} {'server CPU push':>16} {'pull':>6}")
        for n in counts:
            rate, base_rate = median(n, name, "push_rate"), median(n, against, "push_rate")
            p99, base_p99 = median(n, name, "p99"), median(n, against, "p99")
            pull, base_pull = median(n, name, "pull_rate"), median(n, against, "pull_rate")
            print(f"{n:>4} {rate:14.1f} {base_rate:9.1f} {rate / base_rate:6.2f}x {p99:12.1f} {base_p99:9.1f} "
                  f"{pull:14.1f} {base_pull:9.1f} {pull / base_pull:6.2f}x "
                  f"{median(n, name, 'server_push_cpu'):>16.0%} {median(n, name, 'server_pull_cpu'):>6.0%}")
        print(note)

    if postgresql:
        compare("Berth-PG", "Berth", "Berth with its metadata in PostgreSQL (Berth-PG) against the embedded store (Berth)",
                "(server CPU counts Berth's process only; PostgreSQL's own CPU is not in it)")
    if args.s3:
        compare("Berth-PG-S3", "Berth-PG", "Berth on PostgreSQL with its content in S3 (Berth-PG-S3) against Berth-PG",
                "(server CPU counts Berth's process only; PostgreSQL's and the object store's are not in it)")

    print("\nCPU in % of one core (medians), and bytes the server process wrote to storage per pushed image")
    print(f"{'N':>4} {'Berth push: server':>19} {'client':>7} {'pull: server':>13} {'client':>7} {'KiB/img':>8}   "
          f"{'dist push: server':>18} {'client':>7} {'pull: server':>13} {'client':>7} {'KiB/img':>8}")
    for n in counts:
        line = f"{n:>4} "
        for name, width in (("Berth", 19), ("distribution", 18)):
            line += (f"{median(n, name, 'server_push_cpu'):>{width}.0%} {median(n, name, 'client_push_cpu'):>7.0%} "
                     f"{median(n, name, 'server_pull_cpu'):>13.0%} {median(n, name, 'client_pull_cpu'):>7.0%} "
                     f"{median(n, name, 'written_kib'):>8.1f}   ")
        print(line.rstrip())

    busy = [(n, name, phase, r[f"client_{phase}_cpu"]) for (n, name), runs in results.items() for r in runs
            for phase in ("push", "pull") if r[f"client_{phase}_cpu"] > CLIENT_CPU_LIMIT]
    if busy:
        print(f"WARNING: the client used more than {CLIENT_CPU_LIMIT:.0%} of one core in "
              + ", ".join(f"N={n} {name} {phase} ({cpu:.0%})" for n, name, phase, cpu in busy)
              + ": there the client, not the server, may be the limit")
    else:
        top = max(r[f"client_{phase}_cpu"] for runs in results.values() for r in runs for phase in ("push", "pull"))
        print(f"the client stayed under {CLIENT_CPU_LIMIT:.0%} of one core in every phase (at most {top:.0%})")


if __name__ == "__main__":
    main()
