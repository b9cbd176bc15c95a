#!/usr/bin/env bash
# Builds the control-plane testbed into $TESTBED_CACHE (default ~/.cache/tandem/testbed):
#   bin/ kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm
#   bin/ kubelet kube-proxy coredns traefik kube-router   the real-pod node (test/pods)
#   crds/cert-manager/*.yaml   cert-manager's CRDs, from its Go module
#   crds/gateway-api/*.yaml    the Gateway API's standard-channel CRDs, from its Go module
#   kwok/stages.yaml           kwok's "fast" node and pod stages, from its Go module
# Each piece has a stamp under stamps/ that records what it was built from; a piece is rebuilt
# only when its binary is missing or its stamp differs, so a second run takes a second.
# Go's build cache and module cache stay at their defaults, so every clone reuses them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${TESTBED_CACHE:-$HOME/.cache/tandem/testbed}"
bin="$cache/bin"
stamps="$cache/stamps"
mkdir -p "$bin" "$stamps" "$cache/crds" "$cache/kwok"

log() { printf 'testbed: %s\n' "$*" >&2; }

# --- tools this script and the harness need ------------------------------------------------------
apt_updated=0
need_deb() { # need_deb COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing Debian package $2 (for $1)"
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need_deb openssl openssl     # the harness generates the cluster's certificates with it
need_deb setpriv util-linux  # the harness ties each component's life to its supervisor with it
need_deb flock util-linux

if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="/usr/local/go/bin:$PATH"; else
    log "Go is needed to build the testbed (https://go.dev/doc/install); none found"; exit 1
  fi
fi

# One build at a time per cache (a developer and CI may share the machine).
exec 9>"$cache/.lock"
flock 9

# --- stamps ----------------------------------------------------------------------------------------
go_id="$(go env GOVERSION)"
is_current() { # is_current NAME KEY FILE...: all files exist and the stamp matches
  local name="$1" key="$2"; shift 2
  local f; for f in "$@"; do [ -e "$f" ] || return 1; done
  [ "$(cat "$stamps/$name" 2>/dev/null)" = "$key" ]
}
stamp() { printf '%s' "$2" >"$stamps/$1"; }

# --- Kubernetes and etcd, from testbed/kube --------------------------------------------------------
kube_key="$K8S_VERSION etcd=$ETCD_VERSION $go_id $(cat "$here/kube/go.mod" "$here/kube/go.sum" | sha256sum | cut -c1-16)"
kube_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd)
if ! is_current kube "$kube_key" "${kube_bins[@]/#/$bin/}"; then
  grep -q "k8s.io/kubernetes $K8S_VERSION" "$here/kube/go.mod" || {
    log "testbed/kube/go.mod does not require k8s.io/kubernetes $K8S_VERSION (versions.env)"; exit 1; }
  log "building Kubernetes $K8S_VERSION and etcd $ETCD_VERSION (cold: about 9 min on 2 cores, see testbed/README.md)"
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  # The version variables are what `kube-apiserver --version` and /version report.
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
  tmp="$cache/build.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  (
    cd "$here/kube"
    go build -p 2 -trimpath -ldflags "$ldflags" -o "$tmp/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
    go build -p 2 -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
  )
  for b in "${kube_bins[@]}"; do mv -f "$tmp/$b" "$bin/$b"; done
  rm -rf "$tmp"
  stamp kube "$kube_key"
fi

# --- the real-pod node: kubelet and kube-proxy, from the same Kubernetes as the control plane --------
node_bins=(kubelet kube-proxy)
if ! is_current kube-node "$kube_key" "${node_bins[@]/#/$bin/}"; then
  log "building kubelet and kube-proxy $K8S_VERSION (cold: about 3 min more on 2 cores)"
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
  ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
  tmp="$cache/build-node.tmp"; rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$here/kube" && go build -p 2 -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)
  for b in "${node_bins[@]}"; do mv -f "$tmp/$b" "$bin/$b"; done
  rm -rf "$tmp"
  stamp kube-node "$kube_key"
fi

# CoreDNS with only the plugins the cluster's DNS needs (testbed/dns/main.go).
dns_key="$go_id $(cat "$here/dns/go.mod" "$here/dns/go.sum" "$here/dns/main.go" | sha256sum | cut -c1-16)"
if ! is_current coredns "$dns_key" "$bin/coredns"; then
  log "building CoreDNS ($(sed -n 's/^require github.com\/coredns\/coredns //p' "$here/dns/go.mod"), cluster DNS only)"
  (cd "$here/dns" && go build -p 2 -trimpath -ldflags "-s -w" -o "$bin/coredns.tmp" .)
  mv -f "$bin/coredns.tmp" "$bin/coredns"
  stamp coredns "$dns_key"
fi

# Traefik, the edge: its go.mod has replace directives, so it is built inside its own module.
traefik_key="$TRAEFIK_VERSION $go_id"
if ! is_current traefik "$traefik_key" "$bin/traefik"; then
  log "building Traefik $TRAEFIK_VERSION (cold: the longest piece, see testbed/README.md)"
  dir="$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  (cd "$dir" && GOFLAGS=-mod=mod go build -p 2 -trimpath \
    -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$bin/traefik.tmp" ./cmd/traefik)
  mv -f "$bin/traefik.tmp" "$bin/traefik"
  stamp traefik "$traefik_key"
fi

# --- kwok, helm and kube-router: no replace directives in their modules, so `go install` works ------
go_install() { # go_install NAME PACKAGE VERSION
  local name="$1" pkg="$2" version="$3" key="$3 $go_id"
  is_current "$name" "$key" "$bin/$name" && return 0
  log "building $name $version"
  GOBIN="$bin" go install -trimpath -ldflags "-s -w" "$pkg@$version"
  stamp "$name" "$key"
}
go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"
go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION"
# NetworkPolicy for the real-pod node: kube-router as a host process, its firewall only.
go_install kube-router github.com/cloudnativelabs/kube-router/v2/cmd/kube-router "$KUBE_ROUTER_VERSION"

# --- files taken from Go modules (fetched through the module proxy into GOMODCACHE) -----------------
module_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }

# cert-manager keeps its CRDs as plain controller-gen output under deploy/crds/ (the Helm chart's
# templated copies live elsewhere), so they are applied as they are.
if ! is_current cert-manager-crds "$CERT_MANAGER_VERSION" "$cache/crds/cert-manager/cert-manager.io_certificates.yaml"; then
  log "fetching cert-manager $CERT_MANAGER_VERSION CRDs"
  dir="$(module_dir "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION")"
  rm -rf "$cache/crds/cert-manager"; mkdir -p "$cache/crds/cert-manager"
  cp "$dir"/deploy/crds/*.yaml "$cache/crds/cert-manager/"
  chmod 644 "$cache"/crds/cert-manager/*.yaml
  stamp cert-manager-crds "$CERT_MANAGER_VERSION"
fi

# The Gateway API ships its CRDs as plain YAML in config/crd/standard/ (the policy file beside them
# holds admission policies, not CRDs: the harness applies CRDs only).
if ! is_current gateway-api-crds "$GATEWAY_API_VERSION" "$cache/crds/gateway-api/gateway.networking.k8s.io_httproutes.yaml"; then
  log "fetching Gateway API $GATEWAY_API_VERSION CRDs"
  dir="$(module_dir "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION")"
  rm -rf "$cache/crds/gateway-api"; mkdir -p "$cache/crds/gateway-api"
  cp "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml "$cache/crds/gateway-api/"
  chmod 644 "$cache"/crds/gateway-api/*.yaml
  stamp gateway-api-crds "$GATEWAY_API_VERSION"
fi

# The stages kwokctl uses by default: nodes become Ready and keep a lease; pods go Running and Ready
# at once, Jobs' pods complete, and deleted pods go away.
if ! is_current kwok-stages "$KWOK_VERSION" "$cache/kwok/stages.yaml"; then
  log "fetching kwok $KWOK_VERSION stages"
  dir="$(module_dir "sigs.k8s.io/kwok@$KWOK_VERSION")/kustomize/stage"
  {
    for f in "$dir/node/fast/node-initialize.yaml" \
      "$dir/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
      "$dir"/pod/fast/pod-*.yaml; do
      printf -- '---\n# from sigs.k8s.io/kwok@%s %s\n' "$KWOK_VERSION" "${f#"$dir"/}"
      cat "$f"
    done
  } >"$cache/kwok/stages.yaml.tmp"
  mv -f "$cache/kwok/stages.yaml.tmp" "$cache/kwok/stages.yaml"
  stamp kwok-stages "$KWOK_VERSION"
fi

log "ready in $cache"
