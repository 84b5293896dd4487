#!/usr/bin/env python3
"""berth upload image side by side with skopeo copy dir: -> docker://, both into the same Berth server.

Two images, fresh each run so that nothing is skipped: one layer of --big-mib (default 1024) and 200 layers of
256 KiB. berth sends them through the content API (upload requests, import_upload), skopeo through the registry
API. Each figure is the median of --runs runs, the two clients alternating first.
"""
import argparse
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from registry import CREDENTIALS, MIB, OUT, ROOT, make_image, run, skopeo_push, start_berth, timed  # noqa: E402


def berth_upload(cli, server, image, repository):
    env = {**os.environ, "BERTH_SERVER": server.url, "BERTH_USERNAME": "admin", "BERTH_PASSWORD": CREDENTIALS.split(":", 1)[1]}
    run("dotnet", cli, "repo", "create", repository, "--docker", env=env)
    start = time.perf_counter()
    run("dotnet", cli, "-q", "upload", "image", image, "--repo", repository, "--tag", "1", env=env)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="one run, a 64 MiB layer and 20 small ones")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.big_mib, args.layers = 1, 64, 20
    os.makedirs(OUT, exist_ok=True)
    print("publishing the server and the CLI (Release)", flush=True)
    run("dotnet", "publish", os.path.join(ROOT, "server"), "-c", "Release", "-o", os.path.join(OUT, "server"))
    run("dotnet", "publish", os.path.join(ROOT, "cli"), "-c", "Release", "-o", os.path.join(OUT, "cli"))
    cli = os.path.join(OUT, "cli", "berth.dll")

    server = start_berth()
    results = {}
    work = os.path.join(OUT, "work")
    os.makedirs(work, exist_ok=True)
    try:
        for index in range(args.runs):
            tag = f"{int(time.time() * 1000)}-{index}"
            cases = [("1 layer", [args.big_mib * MIB]), (f"{args.layers} x 256 KiB", [256 * 1024] * args.layers)]
            for name, sizes in cases:
                image = os.path.join(work, "image")
                size = make_image(image, sizes)
                clients = [("berth", lambda r: berth_upload(cli, server, image, r)), ("skopeo", lambda r: skopeo_push(image, server, r))]
                for client, push in clients if index % 2 == 0 else reversed(clients):
                    seconds = push(f"{client}-{index}-{len(sizes)}-{tag[-6:]}")
                    results.setdefault((name, client), []).append((size, seconds))
                shutil.rmtree(image)
    finally:
        rss = server.stop()
        shutil.rmtree(server.data, ignore_errors=True)

    print(f"\nmedians of {args.runs} runs; {os.cpu_count()} cores; both clients into the same Berth (peak RSS {rss} MB)")
    print(f"{'':22} {'berth s':>9} {'MiB/s':>8} {'skopeo s':>9} {'MiB/s':>8} {'berth/skopeo':>13}")
    for name in dict.fromkeys(n for n, _ in results):
        row = []
        for client in ("berth", "skopeo"):
            size = results[(name, client)][0][0]
            seconds = statistics.median(s for _, s in results[(name, client)])
            row += [seconds, size / MIB / seconds]
        print(f"{name:22} {row[0]:9.2f} {row[1]:8.1f} {row[2]:9.2f} {row[3]:8.1f} {row[2] / row[0]:12.2f}x")
    print("(berth/skopeo: how many times faster berth is)")


if __name__ == "__main__":
    main()
