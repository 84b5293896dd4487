#!/usr/bin/env python3
"""What a Prometheus scraper and the request log cost Berth (issue 14): manifest GETs per second with and without a
scraper polling /metrics every second, and with the request log on.

    bench/metrics-scrape.py [--runs N] [--quick] [--baseline-dir DIR]

One Release Berth on loopback with a fresh data folder and one small image (a 4 KiB layer, a config, a Docker
schema2 manifest under tag 1). Each run measures the manifest GET rate and p99 with wrk (32 connections, after a
warm-up round) three times, back to back, the order reversed every other run: once alone, once while a thread scrapes
/metrics every second (each scrape timed, its size kept); and a second Berth, the same but with the request log on
(one line per request, at Information, to its log file as a supervisor would keep it), measured in the same
alternation; with --baseline-dir, a third Berth from that published build (an older one, say) measured alone in
the same alternation too. Medians of --runs (default 3). Needs python3, wrk and the
.NET SDK; everything made goes to bench/out/ (ignored by git).
"""
import argparse
import hashlib
import http.client
import json
import os
import statistics
import threading
import time
import urllib.parse

from registry import wrk
from servers import BASIC, publish_berth, start_berth

REPOSITORY = "scraped/app"


def request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(server.url).netloc, timeout=30)
    connection.request(method, path, body=body, headers={"Authorization": BASIC, **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def push_image(server):
    """A monolithic two-step upload of each blob, then the manifest under tag 1."""
    layer, config = os.urandom(4096), json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}}).encode()
    descriptors = []
    for blob, media_type in ((config, "application/vnd.docker.container.image.v1+json"), (layer, "application/vnd.docker.image.rootfs.diff.tar.gzip")):
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        started, _ = request(server, "POST", f"/v2/{REPOSITORY}/blobs/uploads/")
        assert started.status == 202, started.status
        location = started.getheader("Location")
        put, body = request(server, "PUT", location + ("&" if "?" in location else "?") + "digest=" + digest, blob)
        assert put.status == 201, (put.status, body)
        descriptors.append({"mediaType": media_type, "size": len(blob), "digest": digest})
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": descriptors[0],
        "layers": descriptors[1:],
    }).encode()
    put, body = request(server, "PUT", f"/v2/{REPOSITORY}/manifests/1", manifest,
                        {"Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
    assert put.status == 201, (put.status, body)


class Scraper(threading.Thread):
    """GET /metrics every second, as a Prometheus job with a 1 s interval would."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.stopping, self.seconds, self.sizes = server, threading.Event(), [], []

    def run(self):
        while not self.stopping.is_set():
            started = time.perf_counter()
            response, data = request(self.server, "GET", "/metrics")
            assert response.status == 200, response.status
            self.seconds.append(time.perf_counter() - started)
            self.sizes.append(len(data))
            self.stopping.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

    def stop(self):
        self.stopping.set()
        self.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one run")
    parser.add_argument("--baseline-dir", help="a published older build, measured alone in the same alternation")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs

    publish_berth()
    server = start_berth("metrics-scrape")
    logging = start_berth("metrics-scrape-logged", ["--Logging:LogLevel:Berth.Requests=Information"])
    baseline = start_berth("metrics-scrape-baseline", server_dir=args.baseline_dir) if args.baseline_dir else None
    others = {"logged": logging, "baseline": baseline}
    try:
        for each in (server, logging, baseline):
            if each:
                push_image(each)
        path = f"/v2/{REPOSITORY}/manifests/1"
        modes = ("alone", "scraped", "logged") + (("baseline",) if baseline else ())
        figures, scrapes, sizes = {mode: [] for mode in modes}, [], []
        for run in range(runs):
            for mode in (modes if run % 2 == 0 else tuple(reversed(modes))):
                if mode == "scraped":
                    scraper = Scraper(server)
                    scraper.start()
                    figures[mode].append(wrk(server.url + path))
                    scraper.stop()
                    scrapes += scraper.seconds
                    sizes += scraper.sizes
                else:
                    figures[mode].append(wrk(others.get(mode, server).url + path))
    finally:
        for each in (server, logging, baseline):
            if each:
                each.stop()

    rate = {mode: statistics.median(r for r, _ in figures[mode]) for mode in modes}
    p99 = {mode: statistics.median(p for _, p in figures[mode]) for mode in modes}
    print(f"manifest GETs, {runs} run(s), medians")
    print(f"  {'':10} {'requests/s':>11} {'to alone':>9} {'p99 (ms)':>9}")
    for mode in modes:
        print(f"  {mode:10} {rate[mode]:11.0f} {rate[mode] / rate['alone']:9.3f} {p99[mode]:9.2f}")
    for mode in modes:
        print(f"  each run, {mode:7}            " + "  ".join(f"{r:7.0f}/s {p:5.2f} ms" for r, p in figures[mode]))
    print(f"  scrapes: {len(scrapes)}, median {statistics.median(scrapes) * 1000:.1f} ms, "
          f"max {max(scrapes) * 1000:.1f} ms, {statistics.median(sizes) / 1024:.0f} KiB each")


if __name__ == "__main__":
    main()
