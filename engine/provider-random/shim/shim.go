// Package shim exposes terraform-provider-random's provider, which lives in an internal package.
//
// Go's internal-package rule is path based: this module's path,
// github.com/terraform-providers/terraform-provider-random/shim, sits under the upstream module's
// path, so it may import .../internal/provider. The module is project-owned (vaultkit) and is
// wired in with a replace directive in ../go.mod.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream terraform-plugin-framework provider.
func NewProvider() provider.Provider { return upstream.New() }
