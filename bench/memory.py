#!/usr/bin/env python3
"""The server's memory under the attacks of issue 18, finding 5: RSS of the real server process before and at its
peak while clients send documents that are large, name many layers, or are archives of many entries.

    bench/memory.py [--server-dir DIR] [--only NAME,...] [--attack-mib 400] [--missing-layers 25113]
                    [--valid-layers 1000] [--tar-entries 1000000] [--runs 1] [--server-arg=--Berth:Imports:...=N ...]

Each scenario runs against a fresh server process (Release build, published to bench/out/memory-server unless
--server-dir names another published server, an older build say, to compare):
  largest          4 concurrent import_upload calls of the largest manifest the server takes (4 MiB, valid);
  override         4 concurrent ones of --attack-mib MiB documents with override_config max_manifest_bytes 2 GB;
  missing          8 concurrent registry pushes of a manifest naming --missing-layers missing layers;
  missing-allowed  8 concurrent pushes of 4 MiB manifests naming as many missing layers as the ceiling allows (1,000);
  valid            8 concurrent registry pushes of distinct valid 4 MiB manifests of --valid-layers layers (the blobs
                   are pushed first);
  tar              import_upload of a skopeo dir: tar of --tar-entries entries of one byte.
For each it prints the RSS after the set-up, the peak RSS during the scenario (VmHWM, reset before it through
/proc/PID/clear_refs), the answers' statuses and the largest answer body. The peak varies from run to run with
when the collector runs (by a third or more): use --runs. Everything made goes to bench/out/.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
MIB = 1024 * 1024
ADMIN_PASSWORD = "bench-admin-password"
AUTH = "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
API = "/pulp/api/v2"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, server_dir, name, extra_args=()):
        self.port = free_port()
        self.data = os.path.join(OUT, f"memory-data-{name}")
        shutil.rmtree(self.data, ignore_errors=True)
        env = dict(os.environ, BERTH_ADMIN_PASSWORD=ADMIN_PASSWORD)
        self.log = open(os.path.join(OUT, f"memory-server-{name}.log"), "w")
        self.process = subprocess.Popen(
            ["dotnet", os.path.join(server_dir, "Berth.Server.dll"), "--urls", f"http://127.0.0.1:{self.port}",
             "--data-dir", self.data, "--Logging:LogLevel:Default=Warning", *extra_args],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.request("GET", f"{API}/status/")
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def request(self, method, path, body=None, headers=None, length=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            all_headers = {"Authorization": AUTH}
            all_headers.update(headers or {})
            if length is not None:
                all_headers["Content-Length"] = str(length)
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def json(self, method, path, document):
        return self.request(method, path, json.dumps(document).encode(), {"Content-Type": "application/json"})

    def rss_mib(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def reset_peak(self):
        with open(f"/proc/{self.process.pid}/clear_refs", "w") as refs:
            refs.write("5")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()
        shutil.rmtree(self.data, ignore_errors=True)

    # The content API and the registry, as the scenarios use them.
    def repository(self, name):
        status, body = self.json("POST", f"{API}/repositories/", {"id": name})
        assert status == 201, body
        for importer in ("docker_blob_importer", "docker_manifest_importer"):
            status, body = self.json("POST", f"{API}/repositories/{name}/importers/", {"importer_type_id": importer})
            assert status == 201, body

    def upload(self, data, length=None):
        status, body = self.request("POST", f"{API}/content/uploads/")
        assert status == 201, body
        upload_id = json.loads(body)["upload_id"]
        status, body = self.request("PUT", f"{API}/content/uploads/{upload_id}/0/", data,
                                    {"Content-Type": "application/octet-stream"}, length)
        assert status == 200, body
        return upload_id

    def import_upload(self, repository, upload_id, unit_type, override=None):
        request = {"upload_id": upload_id, "unit_type_id": unit_type, "unit_key": {}}
        if override:
            request["override_config"] = override
        return self.json("POST", f"{API}/repositories/{repository}/actions/import_upload/", request)

    def push_blob(self, repository, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        query = urllib.parse.urlencode({"digest": digest})
        status, body = self.request("POST", f"/v2/{repository}/blobs/uploads/?{query}", data,
                                    {"Content-Type": "application/octet-stream"})
        assert status == 201, body
        return digest

    def push_manifest(self, repository, tag, document):
        return self.request("PUT", f"/v2/{repository}/manifests/{tag}", document, {"Content-Type": OCI_MANIFEST})


def descriptor(media_type, digest, size):
    return {"mediaType": media_type, "digest": digest, "size": size}


def manifest(config, layers, pad_to=0, salt=""):
    """An OCI manifest; with pad_to, padded with an annotation to exactly that many bytes."""
    document = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": descriptor("application/vnd.oci.image.config.v1+json", *config),
                "layers": [descriptor("application/vnd.oci.image.layer.v1.tar+gzip", *layer) for layer in layers],
                "annotations": {"salt": salt, "padding": ""}}
    bare = len(json.dumps(document, separators=(",", ":")).encode())
    if pad_to:
        document["annotations"]["padding"] = "p" * max(0, pad_to - bare)
    return json.dumps(document, separators=(",", ":")).encode()


def fake_layers(count, label):
    return [("sha256:" + hashlib.sha256(f"{label}-{i}".encode()).hexdigest(), 1000 + i) for i in range(count)]


def concurrently(calls):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def measure(server, label, calls):
    server.reset_peak()
    before = server.rss_mib()
    started = time.perf_counter()
    results = concurrently(calls)
    seconds = time.perf_counter() - started
    peak = server.rss_mib("VmHWM")
    statuses = sorted({status for status, _ in results})
    largest = max(len(body) for _, body in results)
    print(f"  {label:<58} before {before:7.0f} MiB   peak {peak:7.0f} MiB   (+{peak - before:6.0f})   "
          f"status {','.join(map(str, statuses))}   largest answer {largest:>9,} B   {seconds:6.1f} s", flush=True)


def scenario_largest(server, args):
    server.repository("largest")
    blobs = small_image(server, "largest")
    uploads = [server.upload(manifest(blobs[0], [blobs[1]], pad_to=4 * MIB, salt=f"largest-{i}")) for i in range(4)]
    measure(server, "4 concurrent imports of a valid 4 MiB manifest",
            [lambda u=u: server.import_upload("largest", u, "docker_manifest") for u in uploads])


def scenario_override(server, args):
    server.repository("override")
    blobs = small_image(server, "override")
    path = os.path.join(OUT, "memory-attack-document")
    size = args.attack_mib * MIB
    with open(path, "wb") as f:
        f.write(manifest(blobs[0], [blobs[1]], pad_to=size, salt="attack"))
    uploads = []
    for _ in range(4):
        with open(path, "rb") as f:
            uploads.append(server.upload(f, size))
    os.remove(path)
    measure(server, f"4 concurrent imports of {args.attack_mib} MiB, override 2 GB",
            [lambda u=u: server.import_upload("override", u, "docker_manifest", {"max_manifest_bytes": 2_000_000_000})
             for u in uploads])


def scenario_missing(server, args):
    server.repository("missing")
    config = ("sha256:" + hashlib.sha256(b"config").hexdigest(), 10)
    attack = manifest(config, fake_layers(args.missing_layers, "missing"))
    measure(server, f"8 concurrent pushes, {len(attack) / MIB:.1f} MiB naming {args.missing_layers:,} missing layers",
            [lambda i=i: server.push_manifest("missing", f"t{i}", attack) for i in range(8)])


def scenario_missing_allowed(server, args):
    server.repository("allowed")
    config = ("sha256:" + hashlib.sha256(b"config").hexdigest(), 10)
    documents = [manifest(config, fake_layers(1000, f"missing-{i}"), pad_to=4 * MIB, salt=str(i)) for i in range(8)]
    measure(server, "8 concurrent pushes, 4 MiB naming 1,000 missing layers",
            [lambda d=d, i=i: server.push_manifest("allowed", f"a{i}", d) for i, d in enumerate(documents)])


def scenario_valid(server, args):
    server.repository("valid")
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    config_blob = (server.push_blob("valid", config), len(config))
    layers = [(server.push_blob("valid", f"layer-{i}".encode()), len(f"layer-{i}".encode())) for i in range(args.valid_layers)]
    documents = [manifest(config_blob, layers, pad_to=4 * MIB, salt=f"valid-{i}") for i in range(8)]
    measure(server, f"8 concurrent pushes, valid 4 MiB of {args.valid_layers:,} layers",
            [lambda d=d, i=i: server.push_manifest("valid", f"v{i}", d) for i, d in enumerate(documents)])


def small_image(server, repository):
    config = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
    layer = os.urandom(1024)
    return [(server.push_blob(repository, data), len(data)) for data in (config, layer)]


def tar_header(name, size):
    """A ustar header, as tar writes it for a regular file."""
    header = bytearray(512)
    header[0:len(name)] = name.encode()
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = f"{size:011o}\0".encode()
    header[136:148] = b"00000000000\0"
    header[156] = ord("0")
    header[257:265] = b"ustar\x0000"
    header[148:156] = b" " * 8
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    return bytes(header)


def scenario_tar(server, args):
    server.repository("tar")
    path = os.path.join(OUT, "memory-entries.tar")
    with open(path, "wb") as tar:
        for name, data in (("version", b"Directory Transport Version: 1.1\n"), ("manifest.json", b"{}")):
            tar.write(tar_header(name, len(data)) + data + b"\0" * (512 - len(data)))
        # One byte each: an empty entry has no data, and readers pass over it without keeping its name.
        for i in range(args.tar_entries):
            tar.write(tar_header(f"{i:064x}", 1) + b"x" + b"\0" * 511)
        tar.write(b"\0" * 1024)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        upload_id = server.upload(f, size)
    os.remove(path)
    measure(server, f"a skopeo tar of {args.tar_entries:,} entries ({size / MIB:.0f} MiB)",
            [lambda: server.import_upload("tar", upload_id, "docker_manifest")])


SCENARIOS = {
    "largest": scenario_largest,
    "override": scenario_override,
    "missing": scenario_missing,
    "missing-allowed": scenario_missing_allowed,
    "valid": scenario_valid,
    "tar": scenario_tar,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-dir")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--attack-mib", type=int, default=400)
    parser.add_argument("--missing-layers", type=int, default=25113)
    parser.add_argument("--valid-layers", type=int, default=1000)
    parser.add_argument("--tar-entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="each scenario this many times, on a fresh server each time")
    parser.add_argument("--server-arg", action="append", default=[], help="passed to the server, e.g. --Berth:Imports:MemoryBudgetBytes=8388608")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    server_dir = args.server_dir
    if server_dir is None:
        server_dir = os.path.join(OUT, "memory-server")
        print("publishing the server (Release)", flush=True)
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "server"), "-c", "Release", "-o", server_dir],
                       check=True, capture_output=True)
    for name in args.only.split(","):
        print(f"{name}:", flush=True)
        for _ in range(args.runs):
            server = Server(server_dir, name, args.server_arg)
            try:
                SCENARIOS[name](server, args)
            finally:
                server.stop()


if __name__ == "__main__":
    main()
