// embedschema copies the package schema and Terraform mapping that
// github.com/pulumi/pulumi-kubernetes/provider/v4 ships (cmd/pulumi-resource-kubernetes/schema.json,
// terraform-mapping.json) into ../cmd/pulumi-resource-kubernetes/*-embed.json, compacted, for go:embed.
// Run by `go generate` in that package (the working directory); the module's directory comes from
// `go list -m`, so the files always match the version go.mod pins.
package main

import (
	"bytes"
	"encoding/json"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const module = "github.com/pulumi/pulumi-kubernetes/provider/v4"

func main() {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		log.Fatalf("go list -m %s: %v", module, err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "cmd", "pulumi-resource-kubernetes")
	if strings.TrimSpace(string(out)) == "" {
		log.Fatalf("module %s is not downloaded (run go mod download)", module)
	}
	schema := compact(filepath.Join(dir, "schema.json"))
	var top map[string]json.RawMessage
	if err := json.Unmarshal(schema, &top); err != nil {
		log.Fatalf("schema.json: %v", err)
	}
	if _, ok := top["version"]; ok {
		// main.go prepends the version; a second "version" key would be ambiguous.
		log.Fatal("schema.json already has a top-level version; main.go's versioned() must change")
	}
	if top["resources"] == nil {
		log.Fatal("schema.json has no resources")
	}
	write("schema-embed.json", schema)
	write("terraform-mapping-embed.json", compact(filepath.Join(dir, "terraform-mapping.json")))
}

func compact(path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return buf.Bytes()
}

func write(name string, data []byte) {
	if err := os.WriteFile(name, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
