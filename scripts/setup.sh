#!/usr/bin/env bash
# Everything bondkit needs on a fresh Debian/Ubuntu machine: system packages (when root or sudo can
# install them), then .venv with bondkit and its test tools. Safe to run again: it only installs what
# is missing, and reinstalls Python packages only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# qemu-system-x86 (on arm64: qemu-system-arm): runs the lab's guests, whose kernel is Debian's cloud
# kernel (with bonding.ko), fetched below with apt-get download and unpacked, not installed; kmod:
# modprobe inside guests and depmod here; iproute2/iputils-ping/fping/openssh-*: what lab guests and
# hosts run (copied into the guests' root image, made with e2fsprogs and fakeroot; fping is the
# failover runs' pinger); vde2 + libvdeplug-slirp: the lab's switches and its SSH plug on 127.0.0.1;
# python3-seccomp + acl: the suite runs the lab as an ordinary user under a container's seccomp
# filter; netplan.io: checks rendered YAML;
# fonts-nanum: a Korean font for plots (koreanize-matplotlib ships one too); chromium: the browser the
# notebook tests drive (Playwright uses it; it never downloads one).
# On x86-64, qemu-system-arm too: the suite also runs arm64 guests there, emulated (tests/test_lab_arm64.py).
case "$(uname -m)" in
  aarch64|arm64) QEMU_PACKAGES=(qemu-system-arm) ;;
  x86_64|amd64) QEMU_PACKAGES=(qemu-system-x86 qemu-system-arm) ;;
  *) QEMU_PACKAGES=(qemu-system-x86) ;;
esac
APT_PACKAGES=("${QEMU_PACKAGES[@]}" kmod iproute2 iputils-ping fping openssh-server openssh-client netplan.io
              fonts-nanum python3-venv procps chromium vde2 libvdeplug-slirp e2fsprogs fakeroot
              util-linux python3-seccomp acl)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
# npm (with Node.js) installs the class hub's proxy; any Node.js that brings its own npm will do.
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = "none" ]; then
    echo "setup: cannot install system packages without root; ask for: ${missing[*]}" >&2
    echo "setup: going on; the lab and the netplan check will be skipped until they are installed" >&2
  else
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# The venv is made from the system's Python where there is one, so that every user of the machine (a
# class's students, the suite's unprivileged account) can run it: a Python under /root could not be.
if [ -z "${PYTHON:-}" ]; then
  if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.bondkit-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
# The lab guests' kernel and root image, made once beside the venv for every user (a user without
# them fetches and builds their own on the first `bondkit lab up`).
# On x86-64, arm64 ones too (made of Debian's arm64 packages), for the emulated arm64 lab.
log=$(mktemp)
if image=$(.venv/bin/python -W ignore -m bondkit.lab.rootfs --system 2>"$log"); then
  echo "setup: lab root image $image"
else
  echo "setup: the lab's kernel or root image could not be made here; \`bondkit lab check\` says why:" >&2
  tail -n 3 "$log" >&2
fi
if [ "$(uname -m)" = x86_64 ]; then
  if image=$(BONDKIT_LAB_ARCH=arm64 .venv/bin/python -W ignore -m bondkit.lab.rootfs --system 2>"$log"); then
    echo "setup: arm64 lab root image $image"
  else
    echo "setup: the arm64 lab's kernel or root image could not be made here (arm64 lab tests will skip):" >&2
    tail -n 3 "$log" >&2
  fi
fi
rm -f "$log"
# configurable-http-proxy for the class hub (deploy/jupyterhub), as pinned by its package-lock.json.
hub=deploy/jupyterhub
if command -v npm >/dev/null 2>&1; then
  want=$(sha256sum "$hub/package-lock.json" | cut -d' ' -f1)
  if [ ! -x "$hub/node_modules/.bin/configurable-http-proxy" ] ||
     [ "$(cat "$hub/node_modules/.bondkit-installed" 2>/dev/null)" != "$want" ]; then
    (cd "$hub" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$hub/node_modules/.bondkit-installed"
  fi
else
  echo "setup: npm is missing; the class hub (deploy/jupyterhub) cannot start without it" >&2
fi
echo "setup: ready (.venv)"
