#!/usr/bin/env bash
# Installs every Debian package miglint's build, tests and demo need. Idempotent: when all are
# present it changes nothing; otherwise it runs `apt-get update` first, then installs.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libpg-query-dev libprotobuf-c-dev libsimdjson-dev libpqxx-dev nlohmann-json3-dev libcli11-dev
  libtomlplusplus-dev
  # tests and gates: the reference Alembic runs under Debian's /usr/bin/python3
  libgtest-dev clang-format python3 python3-alembic python3-sqlalchemy python3-sqlmodel python3-psycopg2
  python3-jsonschema pre-commit git
  # the ephemeral PostgreSQL of the round-trip
  postgresql-15
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci/setup.sh: all ${#packages[@]} packages present"
else
  echo "ci/setup.sh: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Test tools from the npm registry (the SARIF Multitool), pinned by tests/tools/package-lock.json.
tools="$(dirname "$0")/../tests/tools"
if [ ! -x "$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  if ! command -v npm >/dev/null; then # the machine image ships Node; Debian's as a fallback
    DEBIAN_FRONTEND=noninteractive ${sudo:-} apt-get install -y -qq nodejs npm
  fi
  echo "ci/setup.sh: installing the test tools from npm"
  npm ci --prefix "$tools" --no-audit --no-fund --silent
fi
