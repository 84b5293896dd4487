"""Starting and stopping the servers that the Python benchmarks compare, on loopback: Berth (the Release build
published into bench/out/server) and the reference registry (CNCF distribution 2.8, Debian's docker-registry,
filesystem storage, no auth). Shared by registry.py and push-rate.py; standard library only.
"""
import base64
import glob
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
# Berth needs credentials for everything; distribution (without auth) ignores them.
ADMIN_PASSWORD = "bench-admin-password"
CREDENTIALS = f"admin:{ADMIN_PASSWORD}"
BASIC = "Basic " + base64.b64encode(CREDENTIALS.encode()).decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def publish_berth():
    """The Release server, into bench/out/server."""
    run("dotnet", "publish", os.path.join(ROOT, "server"), "-c", "Release", "-o", os.path.join(OUT, "server"))


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # an answer, if a refusal (Berth's /v2/ asks for credentials)
        except Exception:  # noqa: BLE001 - anything short of an answer means not yet
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User and system CPU seconds the processes PIDS have used so far (those gone count nothing)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except OSError:
            pass
    return total


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


class Server:
    def __init__(self, name, command, data, url):
        self.name, self.url, self.data = name, url, data
        self.log = open(data + ".log", "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=OUT,
                                        env={**os.environ, "BERTH_ADMIN_PASSWORD": ADMIN_PASSWORD})
        wait_for(url + "/v2/")
        self.host = url.split("//")[1]

    def stop(self):
        rss = peak_rss_mb(self.process.pid)
        self.process.terminate()
        self.process.wait(30)
        self.log.close()
        return rss


def start_berth(name="berth", settings=(), server_dir=None):
    """A Berth server on a free port with a fresh data folder bench/out/NAME-data (log beside it), its log at Warning
    and then SETTINGS (command-line settings such as "--Logging:LogLevel:Berth.Requests=Information"); the one
    published into bench/out/server, or the one in SERVER_DIR."""
    port = free_port()
    data = os.path.join(OUT, f"{name}-data")
    shutil.rmtree(data, ignore_errors=True)
    dll = os.path.join(server_dir or os.path.join(OUT, "server"), "Berth.Server.dll")
    return Server("Berth", ["dotnet", dll, "--urls", f"http://127.0.0.1:{port}", "--data-dir", data,
                            "--Logging:LogLevel:Default=Warning", *settings], data, f"http://127.0.0.1:{port}")


class PostgreSql:
    """A throwaway PostgreSQL cluster (Debian's postgresql) for Berth's metadata: made under bench/out/NAME, on a free
    loopback port, as the postgres user when the benchmark runs as root (PostgreSQL refuses root). Unlike the tests'
    cluster it keeps fsync on: the benchmark measures what an operator would run. stop() removes it."""

    def __init__(self, name="postgresql"):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
        self.bin = os.path.dirname(binaries[-1])
        self.folder = os.path.join(OUT, name)
        shutil.rmtree(self.folder, ignore_errors=True)
        os.makedirs(self.folder)
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            run("chown", "postgres:postgres", self.folder)
        self.data = os.path.join(self.folder, "data")
        self.port = free_port()
        self._pg("initdb", "-D", self.data, "-U", "berth", "--auth=trust", "--encoding=UTF8", "--no-locale")
        self._pg("pg_ctl", "-D", self.data, "-l", os.path.join(self.folder, "log"), "-w", "start", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=300")
        self.databases = 0

    def _pg(self, tool, *args):
        run(*self.as_postgres, os.path.join(self.bin, tool), *args)

    def create_database(self):
        """A fresh database; its connection string."""
        self.databases += 1
        name = f"bench{self.databases}"
        run(*self.as_postgres, os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "berth",
            "-d", "postgres", "-c", f"CREATE DATABASE {name}")
        return f"Host=127.0.0.1;Port={self.port};Username=berth;Database={name}"

    def stop(self):
        self._pg("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_berth_on_postgresql(postgresql, name="berth-postgresql", server_dir=None):
    """A Berth whose metadata is in a fresh database of POSTGRESQL (content still in its data folder)."""
    return start_berth(name, settings=("--Berth:Metadata:Provider=PostgreSql",
                                       f"--Berth:Metadata:ConnectionString={postgresql.create_database()}"),
                       server_dir=server_dir)


def start_berth_on_postgresql_and_s3(postgresql, bucket_url, name="berth-postgresql-s3", server_dir=None):
    """A Berth whose metadata is in a fresh database of POSTGRESQL and whose content is in the existing bucket BUCKET_URL
    (http://HOST:PORT/BUCKET) under the prefix NAME/, with the keys of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (the
    AWS SDK's chain reads them); blobs streamed through Berth (Redirect off), as the benchmark's clients do not follow
    redirects."""
    endpoint, _, bucket = bucket_url.rstrip("/").rpartition("/")
    return start_berth(name, settings=("--Berth:Metadata:Provider=PostgreSql",
                                       f"--Berth:Metadata:ConnectionString={postgresql.create_database()}",
                                       "--Berth:Content:Provider=S3", f"--Berth:Content:S3:ServiceUrl={endpoint}",
                                       f"--Berth:Content:S3:Bucket={bucket}", f"--Berth:Content:S3:Prefix={name}/",
                                       "--Berth:Content:S3:ForcePathStyle=true", "--Berth:Content:S3:Redirect=false"),
                       server_dir=server_dir)


def start_distribution(name="distribution", extra=""):
    """The reference registry on a free port with a fresh data folder bench/out/NAME-data and its configuration in
    bench/out/NAME.yml (EXTRA appended to it: a proxy section, say); None when docker-registry is not installed."""
    if not shutil.which("docker-registry"):
        return None
    port = free_port()
    data = os.path.join(OUT, f"{name}-data")
    shutil.rmtree(data, ignore_errors=True)
    os.makedirs(data)
    config = os.path.join(OUT, f"{name}.yml")
    with open(config, "w") as f:
        f.write(f"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
                f"storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n"
                f"http:\n  addr: 127.0.0.1:{port}\n{extra}")
    return Server("distribution", ["docker-registry", "serve", config], data, f"http://127.0.0.1:{port}")
