#!/usr/bin/env bash
# The system packages that the tests, `npm start` and the bench need, checked with one dpkg-query.
# As root, installs the missing ones through apt-get (once); otherwise prints the one command to run.
# Run by `npm test`, `npm start`, `npm run test:e2e` and .ci/run; fast when everything is there.
set -euo pipefail

# One line per package and what uses it. CONTRIBUTING.md lists the same (test/unit/system-packages.test.ts
# compares the two): a new package goes in both.
packages=(
  jq             # the jq stages of examples/ and of the tests
  neovim         # an external LSP client (test/lsp/neovim.test.ts)
  chromium       # the browser that drives the real VS Code of the end-to-end suite (playwright-core)
  libkrb5-dev    # code-server's kerberos addon builds against it when the end-to-end suite installs it
  shellcheck     # `npm run lint` on .ci/run and scripts/*.sh
  pv             # the rate-limited reader of test/fixtures/e2e/file-progress.pipeline.yaml (progress in the editor)
  openssh-server # real sshd servers on 127.0.0.1 for stages on other hosts (test/unit/engine/remote/, doctor --host)
  time           # GNU time: the peak RSS the engine's figures are checked against (tests, bench/run.ts)
  python3        # a real terminal (pty) to hang up in the engine's fault tests
  gcc            # the engine's native program pw-segment (engine/native/, scripts/native.ts), built by `npm run build`; every local run needs it
  libc6-dev      # libc.a, for the static build of those programs
  unzip          # reads the packaged VSIX in the end-to-end suite (test/e2e/vsix.ts)
  gcc-aarch64-linux-gnu  # the static linux-arm64 build of the native programs (the arm64 VSIX)
  libc6-dev-arm64-cross  # libc.a for that arm64 build
  qemu-user-static       # runs the arm64 build under the native contract tests (npm run test:native-platforms)
  clang                  # libFuzzer, which fuzzes pw-segment's plan parser (bench/fuzz-plan.ts)
  libclang-rt-14-dev     # libFuzzer's runtime for clang
  slurmctld      # the controller of the single-node Slurm cluster the tests start (test/unit/engine/slurm)
  slurmd         # that cluster's node daemon
  slurm-client   # srun, scancel, squeue, sacct: what a run on a Slurm cluster calls
  munge          # Slurm's authentication between its daemons and clients
  busybox        # a host's sh and tools as small systems have them: the install of pw-segment runs there (test/unit/engine/remote/host-command.test.ts)
)

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
