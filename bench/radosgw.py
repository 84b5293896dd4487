"""A throwaway one-node Ceph cluster with radosgw on loopback, for benchmarks that need an S3 store (Debian's ceph-mon,
ceph-osd, radosgw and ceph-common, installed with --no-install-recommends). One monitor and one OSD with auth none, pool
size 1; the OSD keeps objects in memory (memstore) unless given a file for bluestore, whose block file must lie outside
the OSD's data folder. The frontend runs with tcp_nodelay=1: without it every object read waits 40 ms for a delayed
acknowledgement. Standard library only; shared by push-rate.py.

Run alone, it serves a bucket until stopped (Ctrl-C or SIGTERM), for trying Berth on S3 or as several replicas on one
machine (README, "Running several replicas"); it keeps objects in memory, so what it holds goes when it stops:

    python3 bench/radosgw.py --serve BUCKET [--port 7480] [--bluestore FILE]

Without --serve it starts, makes a bucket and stops: a check that the cluster comes up here.
"""
import argparse
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

from servers import free_port

ACCESS_KEY = "BERTHBENCHACCESSKEY0"
SECRET_KEY = "berth-bench-secret-key"


class RadosGateway:
    def __init__(self, bluestore_file=None, memory_bytes=4 << 30, port=None):
        for tool in ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing: sudo apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common")
        self.folder = tempfile.mkdtemp(prefix="berth-bench-ceph-")
        self.daemons = []
        v2, v1, self.port = free_port(), free_port(), port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        for sub in ("run", "log", "crash", "mon", "osd", "rgw"):
            os.makedirs(os.path.join(self.folder, sub))
        fsid = str(uuid.uuid4())
        monitors = f"[v2:127.0.0.1:{v2},v1:127.0.0.1:{v1}]"
        store = (f"osd objectstore = bluestore\nbluestore block path = {bluestore_file}\nbluestore block size = {memory_bytes}\n"
                 "bluestore block create = true\n" if bluestore_file
                 else f"osd objectstore = memstore\nmemstore device bytes = {memory_bytes}\n")
        self.conf = os.path.join(self.folder, "ceph.conf")
        with open(self.conf, "w") as conf:
            conf.write(f"""[global]
fsid = {fsid}
mon host = {monitors}
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
{store}paxos propose interval = 0.01
paxos min wait = 0.01
mon data avail crit = 0
run dir = {self.folder}/run
crash dir = {self.folder}/crash
log file = {self.folder}/log/$name.log
mon cluster log file = {self.folder}/log/cluster.log

[mon]
mon data = {self.folder}/mon

[osd]
osd data = {self.folder}/osd

[client]
ms mon client mode = crc

[client.rgw]
rgw data = {self.folder}/rgw
rgw frontends = beast endpoint=127.0.0.1:{self.port} tcp_nodelay=1
""")
        try:
            monmap = os.path.join(self.folder, "monmap")
            self._run("monmaptool", "--create", "--fsid", fsid, "--addv", "a", monitors, monmap)
            self._run("ceph-mon", "--mkfs", "-i", "a", "--monmap", monmap)
            self._start("ceph-mon", "-i", "a")
            osd = str(uuid.uuid4())
            self._run("ceph", "--connect-timeout", "60", "osd", "new", osd)
            self._run("ceph-osd", "--mkfs", "-i", "0", "--osd-uuid", osd)
            self._start("ceph-osd", "-i", "0")
            self._start("radosgw", "-n", "client.rgw")
            self._wait()
            self._run("radosgw-admin", "user", "create", "--uid", "berth-bench", "--display-name", "Berth benchmarks",
                      "--access-key", ACCESS_KEY, "--secret", SECRET_KEY)
        except BaseException:
            self.stop()
            raise

    def create_bucket(self, name):
        """A new bucket; returns its URL (http://HOST:PORT/NAME)."""
        empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        subprocess.run(["curl", "-sf", "--aws-sigv4", "aws:amz:us-east-1:s3", "--user", f"{ACCESS_KEY}:{SECRET_KEY}",
                        "-H", f"x-amz-content-sha256: {empty}", "-X", "PUT", f"{self.url}/{name}"], check=True)
        return f"{self.url}/{name}"

    def environment(self):
        """The variables through which the AWS SDK's chain finds the keys."""
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def stop(self):
        for daemon in reversed(self.daemons):
            daemon.kill()
            daemon.wait()
        self.daemons = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def _env(self):
        return dict(os.environ, CEPH_CONF=self.conf)

    def _run(self, tool, *args):
        subprocess.run([tool, "-c", self.conf, *args], check=True, capture_output=True, text=True, env=self._env())

    def _start(self, tool, *args):
        self.daemons.append(subprocess.Popen([tool, "-c", self.conf, *args, "-f"], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, env=self._env()))

    def _wait(self, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            exited = [d for d in self.daemons if d.poll() is not None]
            if exited:
                raise RuntimeError(f"{exited[0].args[0]} exited ({exited[0].returncode}); see {self.folder}/log")
            try:
                urllib.request.urlopen(self.url, timeout=1)
                return
            except urllib.error.HTTPError:
                return
            except Exception:  # noqa: BLE001 - anything short of an answer means not yet
                time.sleep(0.2)
        raise RuntimeError(f"radosgw did not answer on {self.url} within {seconds} s")


def _interrupt(*_):
    raise KeyboardInterrupt


def serve(bucket, port, bluestore_file):
    gateway = RadosGateway(bluestore_file=bluestore_file, port=port)
    try:
        url = gateway.create_bucket(bucket)
        print(f"bucket {url} (access key {ACCESS_KEY}, secret key {SECRET_KEY}); Berth's settings:\n"
              f"  --Berth:Content:Provider=S3 --Berth:Content:S3:ServiceUrl={gateway.url} --Berth:Content:S3:Bucket={bucket}\n"
              f"  --Berth:Content:S3:ForcePathStyle=true --Berth:Content:S3:AccessKey={ACCESS_KEY} --Berth:Content:S3:SecretKey={SECRET_KEY}\n"
              "serving until stopped (Ctrl-C); what it holds goes with it", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)
        while all(d.poll() is None for d in gateway.daemons):
            time.sleep(1)
        print(f"a Ceph daemon exited; see {gateway.folder}/log", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        gateway.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A throwaway one-node Ceph cluster with radosgw on loopback.")
    parser.add_argument("--serve", metavar="BUCKET", help="make the bucket and serve it until stopped")
    parser.add_argument("--port", type=int, help="radosgw's port (default: a free one)")
    parser.add_argument("--bluestore", metavar="FILE", help="keep objects in this file (outside the data folder) instead of memory")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.bluestore)
    else:
        check = RadosGateway(bluestore_file=args.bluestore, port=args.port)
        try:
            print(check.create_bucket("check"), flush=True)
        finally:
            check.stop()
