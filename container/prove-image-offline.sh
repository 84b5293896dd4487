#!/usr/bin/env bash
# Proves, with nothing downloaded but Debian packages, that Berth builds and stores its own container image:
#   1. builds a minimal Debian base image from Debian's packages (mmdebstrap, through the mirror apt already uses)
#      and lays it out as an OCI image with umoci;
#   2. starts a Berth from this clone and pushes the base into it with skopeo;
#   3. publishes Berth's image with the .NET SDK's own container tooling (dotnet publish -t:PublishContainer) onto
#      that base and into that Berth: the SDK pulls the base from Berth and pushes the result to it;
#   4. pulls the image back with skopeo and checks its config (entrypoint, user, exposed port, volume, environment);
#   5. builds the same image from container/Containerfile with podman onto the same base, pushes it into that Berth
#      and checks its config the same way;
#   6. if podman can run containers here, runs the image against a fresh volume and waits for /readyz.
# Run by hand, as root or with sudo rights for apt (not in CI: it takes minutes and needs the Debian mirror):
#   container/prove-image-offline.sh [--keep] [--no-run]
# --keep leaves the work folder (named at the end) and the Berth in it stopped but intact; --no-run skips step 6.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
keep=false
run_container=true
for arg in "$@"; do
  case "$arg" in
    --keep) keep=true ;;
    --no-run) run_container=false ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
for tool in mmdebstrap:mmdebstrap umoci:umoci skopeo:skopeo podman:podman curl:curl jq:jq; do
  command -v "${tool%%:*}" > /dev/null || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  step "installing ${missing[*]} from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi

work="$(mktemp -d -t berth-image.XXXXXX)"
server_pid=""
container=""
server_in_image=""
rootfs=""
podman_images=()
cleanup() {
  set +e
  if [ -n "$container" ]; then podman rm -f "$container" > /dev/null 2>&1; fi
  for made in "${podman_images[@]}"; do podman rmi -f "$made" > /dev/null 2>&1; done
  for pid in "$server_pid" "$server_in_image"; do
    if [ -n "$pid" ]; then kill "$pid" 2> /dev/null; wait "$pid" 2> /dev/null; fi
  done
  if [ -n "$rootfs" ]; then umount "$rootfs/proc" "$rootfs/dev" 2> /dev/null; fi
  # Never delete through a mount that is still there (the image's root file system borrows /proc and /dev).
  if grep -q " $work/" /proc/mounts; then
    echo "still mounted under $work: left in place" >&2
  elif $keep; then
    echo "work folder kept: $work"
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ready() { # URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS "$1" > /dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# The uid the image runs as: the .NET images' "app" user, so that the same number owns the data volume whichever
# base an operator picks (see server/Berth.Server.csproj).
uid=1654
mirror="$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2> /dev/null | grep -m1 '/debian/$' || true)"
mirror="${mirror:-http://deb.debian.org/debian/}"
suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"

step "1/6 base image: Debian $suite minbase from $mirror"
# libssl and ca-certificates for TLS to upstreams, libstdc++ and zlib for the .NET runtime, curl for health checks;
# the data folder exists and belongs to the image's user, so that a fresh volume mounted on it does too.
mmdebstrap --quiet --variant=minbase \
  --include=ca-certificates,libssl3,libstdc++6,zlib1g,curl \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --customize-hook="chroot \"\$1\" groupadd --gid $uid berth" \
  --customize-hook="chroot \"\$1\" useradd --uid $uid --gid $uid --home-dir /var/lib/berth --no-create-home --shell /usr/sbin/nologin berth" \
  --customize-hook="mkdir -p \"\$1/var/lib/berth\" && chown $uid:$uid \"\$1/var/lib/berth\"" \
  "$suite" "$work/rootfs.tar" "deb $mirror $suite main"
umoci init --layout "$work/oci"
umoci new --image "$work/oci:base"
umoci raw add-layer --image "$work/oci:base" "$work/rootfs.tar"
umoci config --image "$work/oci:base" --config.volume /var/lib/berth \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.label "org.opencontainers.image.description=Debian $suite minbase for Berth"
echo "base image: $(du -sh "$work/rootfs.tar" | cut -f1) uncompressed"

step "2/6 a Berth from this clone, and the base pushed into it"
dotnet publish "$root/server" -c Release -o "$work/server" -nodeReuse:false --nologo -v quiet
port="$(free_port)"
registry="127.0.0.1:$port"
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
BERTH_ADMIN_PASSWORD="$password" "$work/server/Berth.Server" --urls "http://$registry" --data-dir "$work/data" \
  > "$work/server.log" 2>&1 &
server_pid=$!
wait_ready "http://$registry/readyz" 120 || { tail -20 "$work/server.log"; fail "Berth did not become ready"; }
skopeo copy --quiet --dest-creds "admin:$password" --dest-tls-verify=false \
  "oci:$work/oci:base" "docker://$registry/debian/$suite-minbase:latest"
echo "pushed $registry/debian/$suite-minbase:latest"

step "3/6 dotnet publish -t:PublishContainer onto that base, into that Berth"
# The SDK reads registry credentials from a Docker config file and speaks plain HTTP only to registries named here.
export DOCKER_CONFIG="$work/docker"
mkdir -p "$DOCKER_CONFIG"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$registry" "$(printf 'admin:%s' "$password" | base64 -w0)" > "$DOCKER_CONFIG/config.json"
export DOTNET_CONTAINER_INSECURE_REGISTRIES="$registry"
# Self-contained: the Debian base holds no .NET runtime, and none can be downloaded here.
dotnet publish "$root/server" -c Release -r linux-x64 --self-contained -t:PublishContainer -nodeReuse:false --nologo \
  -p:ContainerBaseImage="$registry/debian/$suite-minbase:latest" \
  -p:ContainerRegistry="$registry" -p:ContainerRepository=berth/server -p:ContainerImageTags=proof \
  -o "$work/publish"

step "4/6 the image pulled back with skopeo, its config checked"
image="docker://$registry/berth/server:proof"
skopeo copy --quiet --src-creds "admin:$password" --src-tls-verify=false "$image" "oci:$work/pulled:proof"
check_image() { # IMAGE: its config as Berth serves it, checked
  config="$(skopeo inspect --config --creds "admin:$password" --tls-verify=false "$1")"
  echo "$config" | jq '.config'
  check "entrypoint is the server" '.config.Entrypoint == ["/app/Berth.Server"]'
  check "runs as uid $uid, not root" ".config.User == \"$uid\""
  check "exposes 24817/tcp" '.config.ExposedPorts | has("24817/tcp")'
  check "the data folder is a volume" '.config.Volumes | has("/var/lib/berth")'
  check "the data folder setting points at it" '.config.Env | index("Berth__DataDir=/var/lib/berth") != null'
  check "listens on every address" '.config.Env | index("URLS=http://+:24817") != null'
  check "the base's layer is the first" '.rootfs.diff_ids | length >= 2'
}
check() { # DESCRIPTION JQ-EXPRESSION
  if echo "$config" | jq -e "$2" > /dev/null; then echo "ok: $1"; else fail "$1 ($2)"; fi
}
check_image "$image"
layers="$(jq -r '.manifests[0].digest' "$work/pulled/index.json")"
echo "pulled manifest $layers; $(ls "$work/pulled/blobs/sha256" | wc -l) blobs"

sdk_config="$config"
step "5/6 the same image from container/Containerfile, built by podman onto the same base, pushed and checked"
# Chroot isolation runs the Containerfile's RUN step without a container runtime, which some sandboxes refuse.
built="$registry/berth/server:containerfile"
podman_images+=("$built" "$registry/debian/$suite-minbase:latest")
mkdir "$work/context"
cp -a "$work/publish" "$work/context/publish"
podman build --quiet --isolation chroot --tls-verify=false --creds "admin:$password" \
  -f "$root/container/Containerfile" --build-arg BASE_IMAGE="$registry/debian/$suite-minbase:latest" \
  --build-arg SERVER_DIR=publish -t "$built" "$work/context" > /dev/null
podman push --quiet --tls-verify=false --creds "admin:$password" "$built"
check_image "docker://$built"
# The data folder belongs to the image's user, so that a fresh volume on it does too (the Containerfile's RUN step
# makes sure of it; this base has it already): its owner is what the last layer that names it says.
skopeo copy --quiet --src-creds "admin:$password" --src-tls-verify=false "docker://$built" "oci:$work/built:containerfile"
manifest="$(jq -r '.manifests[0].digest' "$work/built/index.json")"
owner=""
for layer in $(jq -r '.layers[].digest' "$work/built/blobs/sha256/${manifest#sha256:}"); do
  named="$(tar -tzvf "$work/built/blobs/sha256/${layer#sha256:}" | awk '{ name = $NF; sub(/^\.?\//, "", name); sub(/\/$/, "", name) } name == "var/lib/berth" { print $2 }')"
  owner="${named:-$owner}"
done
[ "$owner" = "$uid/$uid" ] || fail "/var/lib/berth does not belong to uid $uid in the image (found: '${owner}')"
echo "ok: /var/lib/berth belongs to $owner"
config="$sdk_config"

if ! $run_container; then
  step "6/6 skipped (--no-run)"
  echo "PASSED (image built, stored, pulled and checked; not run)"
  exit 0
fi
step "6/6 the image run, /readyz awaited"
run_port="$(free_port)"
mkdir -p "$work/volume"
podman_images+=("$registry/berth/server:proof")
if podman pull --quiet --tls-verify=false --creds "admin:$password" "$registry/berth/server:proof" > /dev/null &&
  container="$(podman run -d --rm -p "127.0.0.1:$run_port:24817" -e BERTH_ADMIN_PASSWORD="$password" \
    -v "$work/volume:/var/lib/berth:U" "$registry/berth/server:proof" 2> "$work/podman.err")"; then
  how="with podman"
  logs() { podman logs "$container"; }
else
  container=""
  # Some sandboxes refuse what a container runtime needs (podman's setrlimit, for one). The image's own files still
  # prove it runs: its root file system unpacked by umoci, its entrypoint started in it as its user, with its
  # environment, on a copy of the pulled image.
  echo "podman cannot run containers here ($(tail -n 1 "$work/podman.err" 2> /dev/null || echo "pull failed")); running the image's entrypoint in its unpacked root file system instead"
  [ "$(id -u)" -eq 0 ] || fail "running the unpacked image needs root (chroot)"
  umoci unpack --image "$work/pulled:proof" "$work/bundle" > /dev/null
  rootfs="$work/bundle/rootfs"
  mount --bind /proc "$rootfs/proc"
  mount --bind /dev "$rootfs/dev"
  mapfile -t environment < <(echo "$config" | jq -r '.config.Env[]')
  user="$(echo "$config" | jq -r '.config.User')"
  entrypoint="$(echo "$config" | jq -r '.config.Entrypoint[0]')"
  workdir="$(echo "$config" | jq -r '.config.WorkingDir')"
  chroot --userspec="$user:$user" "$rootfs" /usr/bin/env -i "${environment[@]}" "URLS=http://127.0.0.1:$run_port" \
    BERTH_ADMIN_PASSWORD="$password" /bin/sh -c "cd '$workdir' && exec '$entrypoint'" > "$work/image-run.log" 2>&1 &
  server_in_image=$!
  how="from its unpacked root file system (chroot, uid $user)"
  logs() { cat "$work/image-run.log"; }
fi
wait_ready "http://127.0.0.1:$run_port/readyz" 90 || { logs | tail -20; fail "the image's server did not become ready"; }
curl -fsS "http://127.0.0.1:$run_port/readyz"
echo
if [ -n "$server_in_image" ]; then
  kill "$server_in_image" 2> /dev/null || true
  wait "$server_in_image" 2> /dev/null || true
  server_in_image=""
  [ -e "$rootfs/var/lib/berth/berth.db" ] || fail "the server wrote no data into the image's data folder"
else
  [ -n "$(ls -A "$work/volume")" ] || fail "the container wrote nothing to its volume"
fi
echo "PASSED (image built, stored, pulled, checked and run $how)"
