// pulumi-resource-kubernetes, built by vaultkit from the Go module proxy.
//
// Upstream's main (github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes)
// embeds schema-embed.json and terraform-mapping-embed.json, which its Makefile generates from the
// schema.json and terraform-mapping.json the module ships; the generated files are not in the module,
// so that package does not compile from the proxy. This main is the same program: `go generate`
// (run by scripts/build-pulumi-engine.sh) copies the module's two files here, compacted, and the
// version goes in at start-up, as upstream's generate.go puts it in at build time.
//
// The provider needs the real schema, not a stub: besides GetSchema, Read (import, and refresh of a
// resource without recorded inputs) takes a resource's input properties from it.
package main

//go:generate go run ../../internal/embedschema

import (
	_ "embed"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

// versioned returns the schema with the provider's version as its top-level "version" (the embedded
// copy has none; embedschema checks that), the field upstream's generate.go sets.
func versioned(schema []byte, v string) []byte {
	head := `{"version":` + strconv.Quote(v) + `,`
	return append([]byte(head), schema[1:]...)
}

func main() {
	// version.Version is set with -ldflags -X (the @pulumi/kubernetes npm version in package-lock.json).
	provider.Serve("kubernetes", version.Version, versioned(pulumiSchema, version.Version), terraformMapping)
}
