#!/usr/bin/env python3
"""Berth beyond one machine (issue 12), in one run: one Berth on the embedded store (LiteDB and a data folder), one on
PostgreSQL and S3, two on PostgreSQL and S3 behind HAProxy (round robin, no affinity), and the reference registry (CNCF
distribution 2.8, Debian's docker-registry) with its own s3 driver on the same radosgw.

    bench/replicas.py [--clients 8] [--images 40] [--big-mib 1024] [--chunk-mib 64] [--seconds 10] [--warmup 400]
                      [--memstore] [--only embedded,one,two,distribution]

Each deployment is started afresh and measured alone, on:
  - small images: --clients concurrent clients push --images tiny images each (push-rate.py's workload: a 4 KiB layer,
    a config and a schema2 manifest, monolithic uploads), then pull them all; images/s;
  - one big blob: a client pushes --big-mib MiB of random bytes in PATCHes of --chunk-mib MiB and a closing PUT (behind
    the balancer, the PATCHes alternate servers, and the one that closes reads back from the bucket what the other
    took: Berth's catch-up, reported from /metrics), then pulls it whole, hashing it; seconds and MiB/s;
  - manifest GETs: wrk, 2 threads and 16 connections for --seconds, on one tag (with Accept); requests/s.
Two cores are shared by everything here, so beside each wall-clock figure the CPU seconds each process group used per
operation are given (Berth's servers, PostgreSQL, Ceph, HAProxy, distribution; the clients' own are left out): how the
work would scale on more machines is judged from those, not from the rates.

The blob GETs of Berth on S3 stream through it (Redirect off) and distribution's redirect is disabled too: the clients
here do not follow redirects, and a redirect would measure radosgw alone. Ceph keeps objects in a bluestore file under
bench/out/ (--memstore: in memory, which needs RAM for every copy of the big blob). Everything made goes to bench/out/.
Needs python3, dotnet, docker-registry, postgresql, haproxy, wrk, openssl and Ceph (ceph-mon ceph-osd radosgw ceph-common).
"""
import argparse
import hashlib
import http.client
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

from radosgw import ACCESS_KEY, SECRET_KEY, RadosGateway
from servers import BASIC, OUT, PostgreSql, Server, cpu_seconds, free_port, publish_berth, run, start_berth, wait_for

_spec = importlib.util.spec_from_file_location("push_rate", os.path.join(os.path.dirname(os.path.abspath(__file__)), "push-rate.py"))
push_rate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(push_rate)

MIB = 1 << 20


def children_of(pid):
    """PID and every process below it (PostgreSQL's backends are the postmaster's children)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    found, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, of in parents.items():
            if of == parent and child not in found:
                found.add(child)
                frontier.append(child)
    return found


class Deployment:
    """What clients talk to (a server or the balancer) and the processes whose CPU it costs, by group."""

    def __init__(self, name, endpoint, berth, groups, stop):
        self.name, self.endpoint, self.berth, self._groups, self.stop = name, endpoint, berth, groups, stop

    def cpu(self):
        return {group: cpu_seconds(pids()) for group, pids in self._groups.items()}


class Endpoint:
    """The part of servers.Server the clients use: its name (Berth gets credentials), host and URL."""

    def __init__(self, name, url):
        self.name, self.url, self.host = name, url, url.split("//")[1]


def postgresql_pids(postgresql):
    with open(os.path.join(postgresql.data, "postmaster.pid")) as f:
        return children_of(int(f.readline()))


def berth_settings_on_s3(connection_string, gateway, bucket, prefix):
    return ("--Berth:Metadata:Provider=PostgreSql", f"--Berth:Metadata:ConnectionString={connection_string}",
            "--Berth:Content:Provider=S3", f"--Berth:Content:S3:ServiceUrl={gateway.url}", f"--Berth:Content:S3:Bucket={bucket}",
            f"--Berth:Content:S3:Prefix={prefix}/", "--Berth:Content:S3:ForcePathStyle=true", "--Berth:Content:S3:Redirect=false",
            "--Berth:Clients:MaxConnectionsPerAddress=0")


def start_embedded(_postgresql, _gateway, _bucket):
    server = start_berth("replicas-embedded", settings=("--Berth:Clients:MaxConnectionsPerAddress=0",))
    return Deployment("Berth embedded", server, True, {"Berth": lambda: [server.process.pid]}, lambda: server.stop())


def start_one_on_s3(postgresql, gateway, bucket):
    server = start_berth("replicas-one", settings=berth_settings_on_s3(postgresql.create_database(), gateway, bucket, "one"))
    return Deployment("Berth PG+S3", server, True,
                      {"Berth": lambda: [server.process.pid], "PostgreSQL": lambda: postgresql_pids(postgresql),
                       "Ceph": lambda: [d.pid for d in gateway.daemons]},
                      lambda: server.stop())


def start_two_behind_haproxy(postgresql, gateway, bucket):
    key = os.path.join(OUT, "replicas-token-key.pem")
    run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    settings = berth_settings_on_s3(postgresql.create_database(), gateway, bucket, "two") + (f"--Berth:Auth:TokenSigningKeyFile={key}", "--Berth:Clients:TrustedProxies:0=127.0.0.1")
    servers = [start_berth(f"replicas-two-{i}", settings=settings) for i in (1, 2)]
    port = free_port()
    config = os.path.join(OUT, "replicas-haproxy.cfg")
    with open(config, "w") as f:
        f.write("defaults\n    mode http\n    timeout connect 2s\n    timeout client 5m\n    timeout server 5m\n"
                "    option redispatch 1\n    retries 3\n"
                f"frontend berth\n    bind 127.0.0.1:{port}\n    default_backend replicas\n"
                "backend replicas\n    balance roundrobin\n    option httpchk GET /readyz\n    option forwardfor\n    default-server inter 300ms fall 2 rise 1\n"
                + "".join(f"    server r{i} {s.host} check\n" for i, s in enumerate(servers, 1)))
    log = open(os.path.join(OUT, "replicas-haproxy.log"), "w")
    haproxy = subprocess.Popen(["haproxy", "-f", config, "-db"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/v2/")

    def stop():
        haproxy.terminate()
        haproxy.wait(30)
        log.close()
        for server in servers:
            server.stop()

    deployment = Deployment("Berth 2 x PG+S3 + HAProxy", Endpoint("Berth", url), True,
                            {"Berth": lambda: [s.process.pid for s in servers], "PostgreSQL": lambda: postgresql_pids(postgresql),
                             "Ceph": lambda: [d.pid for d in gateway.daemons], "HAProxy": lambda: [haproxy.pid]},
                            stop)
    deployment.servers = servers
    return deployment


def start_distribution_on_s3(_postgresql, gateway, bucket):
    port = free_port()
    data = os.path.join(OUT, "replicas-distribution-data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    config = os.path.join(OUT, "replicas-distribution.yml")
    with open(config, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                f"storage:\n  s3:\n    accesskey: {ACCESS_KEY}\n    secretkey: {SECRET_KEY}\n    region: us-east-1\n"
                f"    regionendpoint: {gateway.url}\n    bucket: {bucket}\n    rootdirectory: /distribution\n"
                f"    secure: false\n    v4auth: true\n    chunksize: {64 * MIB}\n"
                f"  delete:\n    enabled: true\n  redirect:\n    disable: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n")
    # A CA bundle for HTTPS, set on some machines, makes distribution's AWS SDK refuse the plain-HTTP endpoint.
    bundle = os.environ.pop("AWS_CA_BUNDLE", None)
    try:
        server = Server("distribution", ["docker-registry", "serve", config], data, f"http://127.0.0.1:{port}")
    finally:
        if bundle is not None:
            os.environ["AWS_CA_BUNDLE"] = bundle
    return Deployment("distribution S3", server, False,
                      {"distribution": lambda: [server.process.pid], "Ceph": lambda: [d.pid for d in gateway.daemons]},
                      lambda: server.stop())


DEPLOYMENTS = {"embedded": start_embedded, "one": start_one_on_s3, "two": start_two_behind_haproxy, "distribution": start_distribution_on_s3}


def small_images(deployment, clients, images, prefix):
    """push-rate.py's clients: images/s pushing, then pulling, and the CPU each group used per image in each phase."""
    marks = {}
    push_barrier = threading.Barrier(clients, action=lambda: marks.update(push=(time.perf_counter(), deployment.cpu())))
    pull_barrier = threading.Barrier(clients, action=lambda: marks.update(pull=(time.perf_counter(), deployment.cpu())))
    abort = threading.Event()
    threads = [push_rate.Client(deployment.endpoint, f"bench/{prefix}{i}", push_rate.make_images(f"bench/{prefix}{i}", images),
                                push_barrier, pull_barrier, abort) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    end = (time.perf_counter(), deployment.cpu())
    errors = [t.error for t in threads if t.error]
    if errors:
        raise push_rate.Failure("; ".join(errors[:3]))
    total = clients * images
    push_wall = max(t.pushed_at for t in threads) - marks["push"][0]
    pull_wall = max(t.pulled_at for t in threads) - marks["pull"][0]
    return {"push_rate": total / push_wall, "pull_rate": total / pull_wall,
            "push_cpu": per_op(marks["push"][1], marks["pull"][1], total),
            "pull_cpu": per_op(marks["pull"][1], end[1], total)}


def per_op(before, after, operations):
    return {group: (after[group] - before[group]) / operations for group in after}


class Connection:
    def __init__(self, deployment):
        self.name = deployment.endpoint.name
        self.auth = {"Authorization": BASIC} if deployment.berth else {}
        self.http = http.client.HTTPConnection(deployment.endpoint.host, timeout=600)

    def call(self, method, path, expect, body=None, headers=None, read=True):
        self.http.request(method, path, body=body, headers={**self.auth, **(headers or {})})
        response = self.http.getresponse()
        if not read:
            return response, None
        data = response.read()
        if response.status != expect:
            raise push_rate.Failure(f"{self.name}: {method} {path}: {response.status} (expected {expect}) {data[:300]!r}")
        return response, data

    def close(self):
        self.http.close()


def big_blob(deployment, mib, chunk_mib):
    """Pushes MIB MiB in chunks, then pulls it; seconds of each and CPU seconds per GiB by group."""
    chunk = os.urandom(chunk_mib * MIB)
    chunks = mib // chunk_mib
    digest = hashlib.sha256()
    for _ in range(chunks):
        digest.update(chunk)
    digest = "sha256:" + digest.hexdigest()
    repository = "bench/big"
    client = Connection(deployment)
    try:
        before = deployment.cpu()
        started = time.perf_counter()
        response, _ = client.call("POST", f"/v2/{repository}/blobs/uploads/", 202)
        location = response.getheader("Location")
        for i in range(chunks):
            parts = urllib.parse.urlsplit(location)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            response, _ = client.call("PATCH", path, 202, chunk, {
                "Content-Type": "application/octet-stream",
                "Content-Range": f"{i * len(chunk)}-{(i + 1) * len(chunk) - 1}"})
            location = response.getheader("Location")
        parts = urllib.parse.urlsplit(location)
        query = parts.query + "&" if parts.query else ""
        client.call("PUT", f"{parts.path}?{query}digest={digest}", 201, b"", {"Content-Type": "application/octet-stream"})
        pushed = time.perf_counter()
        middle = deployment.cpu()

        response, _ = client.call("GET", f"/v2/{repository}/blobs/{digest}", 200, read=False)
        if response.status != 200:
            raise push_rate.Failure(f"{client.name}: GET of the big blob: {response.status}")
        check, size = hashlib.sha256(), 0
        while block := response.read(4 * MIB):
            check.update(block)
            size += len(block)
        pulled = time.perf_counter()
        after = deployment.cpu()
        if "sha256:" + check.hexdigest() != digest or size != chunks * len(chunk):
            raise push_rate.Failure(f"{client.name}: the big blob pulled is not the one pushed")
    finally:
        client.close()
    gib = size / (1 << 30)
    return {"push_s": pushed - started, "pull_s": pulled - pushed, "mib": size / MIB,
            "push_cpu": per_op(before, middle, gib), "pull_cpu": per_op(middle, after, gib)}


def manifest_gets(deployment, seconds):
    """wrk on one pushed tag (small_images pushed bench/s0:t0): requests/s and CPU per thousand requests."""
    path = "/v2/bench/s0/manifests/t0"
    headers = ["-H", f"Accept: {push_rate.MANIFEST_TYPE}"] + (["-H", f"Authorization: {BASIC}"] if deployment.berth else [])
    before = deployment.cpu()
    output = run("wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", *headers, deployment.endpoint.url + path).stdout
    after = deployment.cpu()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        raise push_rate.Failure(f"{deployment.name}: {non2xx.group(1)} manifest GETs did not answer 2xx")
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    return {"rate": rate, "cpu": per_op(before, after, requests / 1000)}


def catch_up(deployment):
    """Berth's catch-up of uploads between servers, from each server's /metrics: reads and bytes."""
    total_reads, total_bytes = 0.0, 0.0
    for server in getattr(deployment, "servers", []):
        connection = http.client.HTTPConnection(server.host, timeout=30)
        connection.request("GET", "/metrics", headers={"Authorization": BASIC})
        text = connection.getresponse().read().decode()
        connection.close()
        for line in text.splitlines():
            if line.startswith("berth_upload_catch_up_milliseconds_count"):
                total_reads += float(line.split()[-1])
            elif line.startswith("berth_upload_catch_up_bytes"):
                total_bytes += float(line.split()[-1])
    return total_reads, total_bytes


def cpu_text(cpu, unit):
    return ", ".join(f"{group} {seconds * unit:.2f}" for group, seconds in cpu.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--images", type=int, default=40)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--chunk-mib", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=400, help="small images pushed and pulled before measuring")
    parser.add_argument("--memstore", action="store_true", help="Ceph keeps objects in memory instead of a bluestore file")
    parser.add_argument("--only", help="comma-separated deployments to measure, of: " + ", ".join(DEPLOYMENTS))
    args = parser.parse_args()
    if args.big_mib % args.chunk_mib:
        parser.error("--big-mib must be a multiple of --chunk-mib")
    if args.only and not set(args.only.split(",")) <= DEPLOYMENTS.keys():
        parser.error("--only names deployments of: " + ", ".join(DEPLOYMENTS))
    for tool in ("docker-registry", "haproxy", "wrk", "openssl"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: sudo apt-get install -y docker-registry haproxy wrk openssl")

    print("publishing the server (Release)", flush=True)
    os.makedirs(OUT, exist_ok=True)
    publish_berth()
    block = None if args.memstore else os.path.join(OUT, "replicas-ceph-block")
    if block and os.path.exists(block):
        os.remove(block)
    gateway = RadosGateway(bluestore_file=block, memory_bytes=max(4 << 30, 8 * args.big_mib * MIB))
    postgresql = PostgreSql("replicas-postgresql")
    results = {}
    try:
        bucket = gateway.create_bucket("replicas").rsplit("/", 1)[1]
        os.environ.update(gateway.environment())
        for start in (DEPLOYMENTS[name] for name in (args.only.split(",") if args.only else DEPLOYMENTS)):
            deployment = start(postgresql, gateway, bucket)
            try:
                print(f"{deployment.name}: warming up ({args.warmup} images)", flush=True)
                small_images(deployment, args.clients, max(1, args.warmup // args.clients), "warm")
                r = {"small": small_images(deployment, args.clients, args.images, "s")}
                print(f"  small images: push {r['small']['push_rate']:.1f}/s, pull {r['small']['pull_rate']:.1f}/s; "
                      f"CPU s per pushed image: {cpu_text(r['small']['push_cpu'], 1)}", flush=True)
                r["gets"] = manifest_gets(deployment, args.seconds)
                print(f"  manifest GETs: {r['gets']['rate']:.0f}/s; CPU s per 1000: {cpu_text(r['gets']['cpu'], 1)}", flush=True)
                r["big"] = big_blob(deployment, args.big_mib, args.chunk_mib)
                r["catch_up"] = catch_up(deployment)
                print(f"  {r['big']['mib']:.0f} MiB blob: push {r['big']['push_s']:.1f} s, pull {r['big']['pull_s']:.1f} s; "
                      f"CPU s per GiB pushed: {cpu_text(r['big']['push_cpu'], 1)}; pulled: {cpu_text(r['big']['pull_cpu'], 1)}"
                      + (f"; catch-up: {r['catch_up'][0]:.0f} reads, {r['catch_up'][1] / MIB:.0f} MiB" if deployment.name.startswith("Berth 2") else ""),
                      flush=True)
                results[deployment.name] = r
            finally:
                deployment.stop()
    finally:
        postgresql.stop()
        gateway.stop()
        if block and os.path.exists(block):
            os.remove(block)

    print(f"\n{args.clients} clients x {args.images} small images; one {args.big_mib} MiB blob in {args.chunk_mib} MiB chunks; "
          f"wrk -t2 -c16 {args.seconds} s on one manifest. Two cores shared by every process.")
    print(f"{'deployment':28} {'push img/s':>10} {'pull img/s':>10} {'GETs/s':>8} {'big push s':>10} {'big pull s':>10}")
    for name, r in results.items():
        print(f"{name:28} {r['small']['push_rate']:10.1f} {r['small']['pull_rate']:10.1f} {r['gets']['rate']:8.0f} "
              f"{r['big']['push_s']:10.1f} {r['big']['pull_s']:10.1f}")
    print("\nCPU seconds per operation, by process group (per pushed image | per 1000 manifest GETs | per GiB pushed | per GiB pulled)")
    for name, r in results.items():
        groups = r["small"]["push_cpu"].keys()
        print(f"{name:28} " + "; ".join(
            f"{g} {r['small']['push_cpu'][g]:.4f} | {r['gets']['cpu'][g]:.2f} | {r['big']['push_cpu'][g]:.1f} | {r['big']['pull_cpu'][g]:.1f}"
            for g in groups))
    two = results.get("Berth 2 x PG+S3 + HAProxy")
    if two:
        print(f"\ncatch-up behind the balancer: {two['catch_up'][0]:.0f} reads of other servers' parts, {two['catch_up'][1] / MIB:.0f} MiB "
              f"read back, for one {args.big_mib} MiB upload in {args.big_mib // args.chunk_mib} chunks")


if __name__ == "__main__":
    try:
        main()
    except push_rate.Failure as failure:
        sys.exit(f"benchmark failed: {failure}")
