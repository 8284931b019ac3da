// Command etcd is the stock etcd server CLI (go.etcd.io/etcd/server/v3/etcdmain), built for the kube
// test tier by scripts/build-kube.sh: the backing store of the loopback kube-apiserver.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
