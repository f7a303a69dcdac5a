#!/usr/bin/env bash
# The system packages that the tests, `npm start` and the bench need, checked with one dpkg-query.
# As root, installs the missing ones through apt-get (once); otherwise prints the one command to run.
# Run by `npm test`, `npm start`, `npm run test:e2e` and .ci/run; fast when everything is there.
set -euo pipefail

# jq: examples and tests. neovim: an external LSP client in test/lsp. chromium + libkrb5-dev: a real
# VS Code (code-server builds a kerberos addon) driven headless. shellcheck: lints scripts/*.sh.
# pv: native record counters on edges. openssh-server: remote stages tested on loopback.
# time: GNU time, the kernel's peak RSS of a finished stage. python3: a real terminal (pty) to hang up in
# the engine's fault tests. gcc + libc6-dev (libc.a: static builds): the engine's native programs
# (engine/native/: pw-segment, edge-count; without them runs go through the bash and perl scripts,
# slower), built by `npm run build` and tested against the scripts. slurmctld + slurmd + slurm-client +
# munge: stages on a Slurm cluster, tested on a single-node cluster the tests start (test/unit/engine/slurm).
packages=(jq neovim chromium libkrb5-dev shellcheck pv openssh-server time python3 gcc libc6-dev slurmctld slurmd slurm-client munge)

if ! command -v dpkg-query >/dev/null; then
  echo "setup: not a Debian-like system; make sure these are installed: ${packages[*]}" >&2
  exit 0
fi

# One call for all packages; a package never installed is missing from the output (dpkg-query exits 1).
installed=$(dpkg-query -W -f '${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  grep -qx "$p installed" <<<"$installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing system packages: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "setup: installing ${missing[*]} with apt-get (once) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
