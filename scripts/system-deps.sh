#!/usr/bin/env bash
# Installs the Debian packages the tests need, only when they are missing.
set -euo pipefail
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v openssl >/dev/null || missing+=(openssl)
# The cluster tests put a real load balancer with cookie affinity in front of several nodes.
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
# A real forward proxy for the resource proxy's DMZ test.
command -v tinyproxy >/dev/null || [ -x /usr/bin/tinyproxy ] || missing+=(tinyproxy)
# `make images` extracts the images' Debian roots with it.
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
# The real-pod node (test/pods): a container runtime, the CNI plugins, and the packet filters
# kube-proxy and kube-router program.
command -v containerd >/dev/null || missing+=(containerd)
command -v runc >/dev/null || [ -x /usr/sbin/runc ] || missing+=(runc)
[ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null || [ -x /usr/sbin/iptables ] || missing+=(iptables)
command -v ipset >/dev/null || [ -x /usr/sbin/ipset ] || missing+=(ipset)
command -v conntrack >/dev/null || [ -x /usr/sbin/conntrack ] || missing+=(conntrack)
# testbed/pods.sh makes the node's namespace and bridge, and restores the host's sysctls.
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || [ -x /usr/bin/ip ] || missing+=(iproute2)
command -v sysctl >/dev/null || [ -x /usr/sbin/sysctl ] || missing+=(procps)
command -v unshare >/dev/null || missing+=(util-linux)
# The pause image is compiled static (libc.a).
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
command -v gcc >/dev/null || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
