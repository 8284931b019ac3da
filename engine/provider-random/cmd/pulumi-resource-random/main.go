// pulumi-resource-random, built by vaultkit from the Go module proxy.
//
// github.com/pulumi/pulumi-random/provider/v4 is refused by the module proxy here (403 "This module
// version is not available"), so this is a project-owned equivalent of its provider: the same
// upstream Terraform provider (terraform-provider-random, served) bridged with
// pulumi-terraform-bridge v3.120.0 (served), exposing the resource tokens the @pulumi/random npm
// SDK registers. The Pulumi package schema is only served to `pulumi package get-schema`; the
// runtime (Check/Diff/Create/Read/Update/Delete) needs only the mapping below.
package main

import (
	"context"

	pfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is set with -ldflags "-X main.Version=4.21.2" (the @pulumi/random npm version).
var Version = "4.21.2"

// Resource tokens exactly as @pulumi/random registers them (random:index/<camel>:<Pascal>).
var resources = map[string]string{
	"random_bytes":    "RandomBytes",
	"random_id":       "RandomId",
	"random_integer":  "RandomInteger",
	"random_password": "RandomPassword",
	"random_pet":      "RandomPet",
	"random_shuffle":  "RandomShuffle",
	"random_string":   "RandomString",
	"random_uuid":     "RandomUuid",
	"random_uuid4":    "RandomUuid4",
	"random_uuid7":    "RandomUuid7",
}

func providerInfo() tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            pfbridge.ShimProvider(shim.NewProvider()),
		Name:         "random",
		Version:      Version,
		MetadataInfo: tfbridge.NewProviderMetadata([]byte("{}")),
		Resources:    map[string]*tfbridge.ResourceInfo{},
	}
	for tf, name := range resources {
		camel := string(name[0]+('a'-'A')) + name[1:]
		info.Resources[tf] = &tfbridge.ResourceInfo{Tok: tokens.Type("random:index/" + camel + ":" + name)}
	}
	return info
}

func main() {
	ctx := context.Background()
	pfbridge.Main(ctx, "random", providerInfo(), pfbridge.ProviderMetadata{
		PackageSchema: []byte(`{"name":"random","version":"` + Version + `"}`),
	})
}
