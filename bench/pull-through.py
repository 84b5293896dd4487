#!/usr/bin/env python3
"""Pulling through a cache: Berth's pull-through cache against the reference registry's proxy, from one upstream.

    bench/pull-through.py [--big-mib 256] [--clients 8] [--images 20] [--runs 3] [--quick]

The upstream is Debian's docker-registry on loopback. In front of it, side by side: Berth proxying it by prefix
(Berth:PullThrough, pulls of hub/NAME), and a second docker-registry configured as its pull-through proxy
(proxy.remoteurl, pulls of NAME). Each run pushes fresh images upstream, so that neither cache holds anything, then,
against each cache:
  - one client pulls an image of a single --big-mib layer (manifest, config, layer), cold, then again, warm;
  - --clients clients pull another such image at once, cold (the cache should fetch each blob from upstream once);
  - one client pulls --images small images (two 16 KiB layers each) one after another, cold, then again, warm.
A pull is what a client does: the manifest by tag, then each blob, read to the end and checked against its digest.
Medians of --runs (default 3). Needs python3 and docker-registry; everything made goes to bench/out/.
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import json
import statistics
import time

from servers import BASIC, publish_berth, start_berth, start_distribution
from sync import MANIFEST_TYPE, push_image

CHUNK = 1024 * 1024

# distribution's proxy stores a blob it served in the background, and a pull that comes while it does can find a
# half-written link: 500 "invalid checksum digest format". Its answer to that pull a moment later is right, so the
# bench asks it again (at most RETRIES times, counted and reported) rather than fail; Berth gets no such allowance.
RETRIES = 5
retried = 0


class ServerFault(RuntimeError):
    pass


def get(server, path, accept=None):
    """GET PATH, the body read in chunks and hashed: its sha256 digest."""
    connection = http.client.HTTPConnection(server.host, timeout=600)
    try:
        headers = {"Authorization": BASIC} if server.name == "Berth" else {}
        if accept:
            headers["Accept"] = accept
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        digest = hashlib.sha256()
        body = b""
        while chunk := response.read(CHUNK):
            digest.update(chunk)
            if accept:
                body += chunk
        if response.status >= 500:
            raise ServerFault(f"{server.name}: GET {path}: {response.status} {body[:300]!r}")
        if response.status != 200:
            raise RuntimeError(f"{server.name}: GET {path}: {response.status} {body[:300]!r}")
        return "sha256:" + digest.hexdigest(), body
    finally:
        connection.close()


def get_blob(server, path):
    global retried
    for attempt in range(RETRIES + 1):
        try:
            return get(server, path)
        except ServerFault:
            if server.name != "distribution" or attempt == RETRIES:
                raise
            retried += 1
            time.sleep(0.05)


def pull(server, name, tag):
    """Pulls NAME:TAG as a client does; the seconds it took."""
    started = time.perf_counter()
    _, manifest = get(server, f"/v2/{name}/manifests/{tag}", MANIFEST_TYPE)
    document = json.loads(manifest)
    for descriptor in [document["config"], *document["layers"]]:
        digest, _ = get_blob(server, f"/v2/{name}/blobs/{descriptor['digest']}")
        if digest != descriptor["digest"]:
            raise RuntimeError(f"{server.name}: blob {descriptor['digest']} came as {digest}")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big-mib", type=int, default=256)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="a 4 MiB layer, 2 clients, 3 images, one run: checks that it works")
    args = parser.parse_args()
    if args.quick:
        args.big_mib, args.clients, args.images, args.runs = 4, 2, 3, 1

    publish_berth()
    upstream = start_distribution("pull-through-upstream")
    if upstream is None:
        raise SystemExit("docker-registry is not installed: apt-get install -y docker-registry")
    proxy = start_distribution("pull-through-proxy", f"proxy:\n  remoteurl: {upstream.url}\n")
    berth = start_berth("pull-through-berth", ("--Berth:PullThrough:0:Prefix=hub", f"--Berth:PullThrough:0:Feed={upstream.url}"))
    caches = [(berth, "hub/"), (proxy, "")]
    times = {(cache.name, what): [] for cache, _ in caches for what in ("big", "big warm", "clients", "small", "small warm")}
    try:
        for run in range(args.runs):
            for cache, prefix in caches:
                name = f"library/r{run}{cache.name.lower()}"
                big = args.big_mib * 1024 * 1024
                push_image(upstream, name, "big", [random_bytes(big)])
                push_image(upstream, name, "shared", [random_bytes(big)])
                for i in range(args.images):
                    push_image(upstream, name, f"s{i}", [random_bytes(16 * 1024), random_bytes(16 * 1024)])

                times[(cache.name, "big")].append(pull(cache, prefix + name, "big"))
                times[(cache.name, "big warm")].append(pull(cache, prefix + name, "big"))
                started = time.perf_counter()
                with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
                    list(pool.map(lambda _: pull(cache, prefix + name, "shared"), range(args.clients)))
                times[(cache.name, "clients")].append(time.perf_counter() - started)
                times[(cache.name, "small")].append(sum(pull(cache, prefix + name, f"s{i}") for i in range(args.images)))
                times[(cache.name, "small warm")].append(sum(pull(cache, prefix + name, f"s{i}") for i in range(args.images)))
    finally:
        for server in (berth, proxy, upstream):
            server.stop()

    def median(cache, what):
        return statistics.median(times[(cache, what)])

    print(f"\nmedians of {args.runs} runs, seconds (ratio: the proxy's time over Berth's)")
    print(f"{'':44}{'Berth':>8}{'proxy':>8}{'ratio':>8}")
    for what, label in [("big", f"one {args.big_mib} MiB image, cold"), ("big warm", "  again, warm"),
                        ("clients", f"{args.clients} clients at once, cold"),
                        ("small", f"{args.images} small images, cold"), ("small warm", "  again, warm")]:
        b, p = median("Berth", what), median("distribution", what)
        print(f"{label:44}{b:8.2f}{p:8.2f}{p / b:7.1f}x")
    if retried:
        print(f"the proxy answered 500 to {retried} blob request(s) made while it stored that blob; each was asked again")


def random_bytes(size):
    with open("/dev/urandom", "rb") as source:
        return source.read(size)


if __name__ == "__main__":
    main()
