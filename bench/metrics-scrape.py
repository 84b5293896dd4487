#!/usr/bin/env python3
"""What a Prometheus scraper costs Berth (issue 14): manifest GETs per second with and without a scraper polling
/metrics every second.

    bench/metrics-scrape.py [--runs N] [--quick]

One Release Berth on loopback with a fresh data folder and one small image (a 4 KiB layer, a config, a Docker
schema2 manifest under tag 1). Each run measures the manifest GET rate and p99 with wrk (32 connections, after a
warm-up round) twice, back to back, the order alternating between runs: once alone, once while a thread scrapes
/metrics every second (each scrape timed, its size kept). Medians of --runs (default 3). Needs python3, wrk and the
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
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs

    publish_berth()
    server = start_berth("metrics-scrape")
    try:
        push_image(server)
        url = f"{server.url}/v2/{REPOSITORY}/manifests/1"
        alone, scraped, scrapes, sizes = [], [], [], []
        for run in range(runs):
            for with_scraper in ((False, True) if run % 2 == 0 else (True, False)):
                if with_scraper:
                    scraper = Scraper(server)
                    scraper.start()
                    scraped.append(wrk(url))
                    scraper.stop()
                    scrapes += scraper.seconds
                    sizes += scraper.sizes
                else:
                    alone.append(wrk(url))
    finally:
        server.stop()

    rate_alone = statistics.median(r for r, _ in alone)
    rate_scraped = statistics.median(r for r, _ in scraped)
    print(f"manifest GETs, {runs} run(s), medians        alone   scraped every 1 s   scraped/alone")
    print(f"  requests per second               {rate_alone:9.0f}   {rate_scraped:17.0f}   {rate_scraped / rate_alone:13.3f}")
    print(f"  p99 (ms)                          {statistics.median(p for _, p in alone):9.2f}   "
          f"{statistics.median(p for _, p in scraped):17.2f}")
    print(f"  scrapes: {len(scrapes)}, median {statistics.median(scrapes) * 1000:.1f} ms, "
          f"max {max(scrapes) * 1000:.1f} ms, {statistics.median(sizes) / 1024:.0f} KiB each")


if __name__ == "__main__":
    main()
