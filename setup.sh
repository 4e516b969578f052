#!/usr/bin/env bash
# Installs, idempotently, everything FOS1 needs on a fresh Debian 12 machine
# (run as root): the Debian packages of ../shared/design/STACK.md, the npm
# packages (npm ci), then the build. Safe to run again: it only does what is
# missing.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  iproute2 nftables procps frr frr-pythontools
  clang llvm libbpf-dev bpftool make
  openssh-client sshpass tmux iputils-ping traceroute conntrack netcat-openbsd iperf3
  kea chrony qemu-system-x86 mmdebstrap
  ansible python3-netmiko
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run as root to install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.fos-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

npm run -s build
# The eBPF programs and their loader (incremental: nothing to do when nothing changed).
make -s -j2 -C bpf
echo "setup: ready"
