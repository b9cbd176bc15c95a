// Command coredns is CoreDNS with only the plugins the real-pod tests use: the cluster's DNS
// (kubernetes), answered from the API server, with health and readiness endpoints. CoreDNS's own
// main compiles in every plugin (cloud DNS providers included); a custom main is how CoreDNS
// documents building a smaller one. Nothing here is shipped.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The order plugins run in, as CoreDNS's plugin.cfg orders them.
func init() {
	dnsserver.Directives = []string{"errors", "log", "health", "ready", "cache", "kubernetes"}
}

func main() { coremain.Run() }
