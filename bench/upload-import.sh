#!/usr/bin/env bash
# Upload + import speed and memory of Berth's content API, side by side with the reference registry
# (CNCF distribution, Debian's docker-registry) and with `openssl dgst -sha256` on the same file.
#
#   bench/upload-import.sh [SIZE_MIB] [RUNS] [MEMORY_TEST_MIB]
#
# Defaults: a 1024 MiB blob, 3 measured runs after one warm-up, and a 4096 MiB streamed upload for the memory
# test (0 skips it). Everything it makes goes to bench/out/ (ignored by git). Needs curl, openssl, python3;
# installs docker-registry with apt-get when it is missing and it can.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=${1:-1024}
runs=${2:-3}
memory_mib=${3:-4096}
out=bench/out
mkdir -p "$out"
blob="$out/blob-${size_mib}m.bin"

log() { printf '%s\n' "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
rate() { python3 -c "print(f'{$1 / $2:.0f}')"; }

if [ ! -f "$blob" ]; then
  log "making $blob ($size_mib MiB of random bytes)"
  head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$blob"
fi
digest="sha256:$(openssl dgst -sha256 -r "$blob" | cut -d' ' -f1)"

log "publishing the server (Release)"
dotnet publish server -c Release -o "$out/server" > "$out/publish.log"

# --- openssl: the yardstick ---------------------------------------------------------------------------
cat "$blob" > /dev/null
openssl_times=()
for _ in $(seq "$runs"); do
  s=$(now); openssl dgst -sha256 "$blob" > /dev/null; e=$(now)
  openssl_times+=("$(python3 -c "print($e - $s)")")
done
openssl_time=$(median "${openssl_times[@]}")

# --- Berth: one PUT of the whole blob, then import_upload ---------------------------------------------
start_berth() { # DATA_DIR -> sets berth_pid, berth_url
  local port; port=$(free_port)
  rm -rf "$1"
  dotnet "$out/server/Berth.Server.dll" --urls "http://127.0.0.1:$port" --data-dir "$1" > "$1.log" 2>&1 &
  berth_pid=$!
  berth_url="http://127.0.0.1:$port/pulp/api/v2"
  for _ in $(seq 100); do curl -sf "$berth_url/status/" > /dev/null && return 0; sleep 0.2; done
  log "Berth did not start; see $1.log"; exit 1
}
berth_setup() {
  curl -sf -X POST "$berth_url/repositories/" -d '{"id": "bench"}' > /dev/null
  curl -sf -X POST "$berth_url/repositories/bench/importers/" -d '{"importer_type_id": "docker_blob_importer"}' > /dev/null
}
berth_upload_id() { curl -sf -X POST "$berth_url/content/uploads/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload_id"])'; }
berth_import() { # UPLOAD_ID DIGEST
  curl -sf -o /dev/null -X POST "$berth_url/repositories/bench/actions/import_upload/" \
    -d "{\"upload_id\": \"$1\", \"unit_type_id\": \"docker_blob\", \"unit_key\": {\"digest\": \"$2\"}}"
}

start_berth "$out/data"
berth_setup
berth_totals=(); berth_imports=()
for run in $(seq 0 "$runs"); do
  id=$(berth_upload_id)
  s=$(now)
  curl -sf -o /dev/null -T "$blob" "$berth_url/content/uploads/$id/0"
  m=$(now)
  berth_import "$id" "$digest"
  e=$(now)
  # Remove the stored copy so that every run stores the blob anew (run 0 is the warm-up).
  hex=${digest#sha256:}; rm -f "$out/data/content/sha256/${hex:0:2}/$hex"
  if [ "$run" -gt 0 ]; then
    berth_totals+=("$(python3 -c "print($e - $s)")"); berth_imports+=("$(python3 -c "print($e - $m)")")
  fi
done
kill "$berth_pid"; wait "$berth_pid" 2> /dev/null || true
berth_total=$(median "${berth_totals[@]}")
berth_import_time=$(median "${berth_imports[@]}")

# --- the reference registry: monolithic upload (POST, then PUT ?digest= with the body) ---------------------
registry_total=""
if ! command -v docker-registry > /dev/null && command -v apt-get > /dev/null; then
  log "installing docker-registry"; apt-get install -y docker-registry > "$out/apt.log" 2>&1 || true
fi
if command -v docker-registry > /dev/null; then
  port=$(free_port)
  rm -rf "$out/registry"; mkdir -p "$out/registry"
  cat > "$out/registry.yml" <<YAML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $PWD/$out/registry }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
YAML
  docker-registry serve "$out/registry.yml" > "$out/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" > /dev/null && break; sleep 0.2; done
  registry_times=()
  for run in $(seq 0 "$runs"); do
    location=$(curl -sf -D - -o /dev/null -X POST "http://127.0.0.1:$port/v2/bench/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    case "$location" in http*) ;; *) location="http://127.0.0.1:$port$location" ;; esac
    separator='?'; case "$location" in *\?*) separator='&' ;; esac
    s=$(now)
    curl -sf -o /dev/null -T "$blob" "${location}${separator}digest=${digest}"
    e=$(now)
    curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$port/v2/bench/blobs/$digest" || rm -rf "$out/registry/docker"
    if [ "$run" -gt 0 ]; then registry_times+=("$(python3 -c "print($e - $s)")"); fi
  done
  kill "$registry_pid"; wait "$registry_pid" 2> /dev/null || true
  registry_total=$(median "${registry_times[@]}")
fi

# --- memory: a fresh server takes a streamed (chunked) upload of MEMORY_TEST_MIB, then imports it -------------
peak_rss=""
if [ "$memory_mib" -gt 0 ]; then
  start_berth "$out/data-memory"
  berth_setup
  id=$(berth_upload_id)
  head -c $((memory_mib * 1024 * 1024)) /dev/urandom \
    | tee >(openssl dgst -sha256 -r | cut -d' ' -f1 > "$out/memory-digest") \
    | curl -sf -o /dev/null -T - "$berth_url/content/uploads/$id/0"
  sleep 0.5
  berth_import "$id" "sha256:$(cat "$out/memory-digest")"
  peak_rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$berth_pid/status")
  kill "$berth_pid"; wait "$berth_pid" 2> /dev/null || true
  rm -rf "$out/data-memory"
fi

# --- report -------------------------------------------------------------------------------------------------------------------
openssl_rate=$(rate "$size_mib" "$openssl_time")
berth_rate=$(rate "$size_mib" "$berth_total")
echo
echo "blob: $size_mib MiB, median of $runs runs after a warm-up, $(nproc) cores"
printf '%-52s %8s MiB/s  (%.2f s)\n' "openssl dgst -sha256" "$openssl_rate" "$openssl_time"
printf '%-52s %8s MiB/s  (%.2f s)\n' "Berth: single PUT + import_upload" "$berth_rate" "$berth_total"
printf '%-52s %8.3f s\n' "Berth: import_upload alone" "$berth_import_time"
if [ -n "$registry_total" ]; then
  printf '%-52s %8s MiB/s  (%.2f s)\n' "reference registry (distribution): monolithic PUT" "$(rate "$size_mib" "$registry_total")" "$registry_total"
fi
python3 -c "print(f'{\"Berth / openssl\":<52} {$berth_rate / $openssl_rate * 100:8.0f} %')"
if [ -n "$peak_rss" ]; then
  printf '%-52s %8s MB\n' "Berth peak RSS, $memory_mib MiB streamed upload + import" "$peak_rss"
fi
