#!/usr/bin/env bash
# Runs COMMAND... inside a network and mount namespace of its own, where the real-pod suite
# (test/pods/) brings up a one-node Kubernetes: control plane, containerd, kubelet, kube-proxy,
# CoreDNS, kube-router and Traefik, all as processes of COMMAND.
#
#   bash testbed/pods.sh node --import tsx --test test/pods/*.test.ts
#
# The namespace's only interfaces are its loopback and the node's bridge (cni0, 10.244.0.1/24,
# the pod range), with a route to the Service range and no other: pods and the suite's clients
# (Chromium included) reach nothing outside it, and nothing outside reaches them. No masquerade;
# FORWARD drops whatever does not stay on the bridge. Mounts (volumes, overlay roots, netns
# files) live in the mount namespace and vanish with it.
#
# Teardown always restores the host: the kubelet writes a few host-wide sysctls and cgroups,
# and this script puts the sysctls back and removes the cgroups when COMMAND ends, however it
# ends.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "testbed/pods.sh: the real-pod node needs root (namespaces, containerd, iptables)" >&2
  exit 1
fi

# One node at a time on a machine: the pods' cgroups are host-wide, and teardown clears them.
exec 8>/tmp/tandem-pods.lock
flock 8

# Host-wide settings the kubelet changes (its "protect kernel defaults" set).
sysctls=(vm.overcommit_memory kernel.panic kernel.panic_on_oops)
declare -A saved
for key in "${sysctls[@]}"; do saved[$key]="$(sysctl -n "$key")"; done

# The run's files: containerd's root and state, the kubelet's, the logs. Kept after a failed run
# (the logs say why), removed after a passing one.
run="$(mktemp -d /tmp/tandem-pods.XXXXXX)"
export TANDEM_PODS_RUN="$run"

restore() {
  local status=$?
  # Pods' processes and containerd's shims are not children of COMMAND, so they outlive it. The
  # pods' cgroups say which they are (v1's pids hierarchy, or the unified one on a v2 host).
  local root
  for root in /sys/fs/cgroup/pids/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$root" ] || continue
    find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  done
  pkill -KILL -f "containerd-shim-runc-v2 .*$run/" 2>/dev/null || true
  pkill -KILL -f "containerd --config $run/" 2>/dev/null || true
  sleep 0.5
  for key in "${sysctls[@]}"; do sysctl -q -w "$key=${saved[$key]}" >/dev/null || true; done
  # The kubelet's pod cgroups (cgroupfs driver: under every v1 hierarchy, or the unified one):
  # deepest first, once their processes are gone.
  local dir
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$dir" ] || continue
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [ "$status" -eq 0 ]; then rm -rf "$run"; else echo "testbed/pods.sh: logs kept in $run/logs" >&2; fi
}
trap restore EXIT

# shellcheck disable=SC2016 # expanded inside the namespace
unshare --net --mount --propagation private --fork --kill-child -- bash -euo pipefail -c '
  ip link set lo up
  ip link add cni0 type bridge
  ip addr add 10.244.0.1/24 dev cni0
  ip link set cni0 up
  # The Service range goes to the bridge, where kube-proxy rewrites it to a pod.
  ip route add 10.96.0.0/16 dev cni0
  sysctl -q -w net.ipv4.ip_forward=1
  # Pod to Service to pod on the same bridge goes through iptables (kube-proxy, kube-router).
  sysctl -q -w net.bridge.bridge-nf-call-iptables=1
  iptables -P FORWARD DROP
  iptables -A FORWARD -i cni0 -o cni0 -j ACCEPT
  exec "$@"
' pods "$@"
