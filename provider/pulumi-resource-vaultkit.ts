#!/usr/bin/env node
/**
 * The component package as an executable provider plugin, `pulumi-resource-vaultkit` (package.json
 * `bin`, so npm links it into a consumer's node_modules/.bin): Pulumi's own component host
 * (`componentProviderHost`) serving every component that components/index.ts exports as
 * `vaultkit:index:<Name>`, with the schema its analyzer infers from the TypeScript sources.
 *
 * This is what a current Node.js language host runs for PulumiPlugin.yaml (`runtime: nodejs`) when a
 * consumer did `pulumi package add`; the host this project builds (sdk v3.68.0) has no RunPlugin, so
 * the engine starts this file instead, found on PATH like any provider binary. See docs/packaging.md.
 */
import * as path from "node:path";
import { componentProviderHost, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as components from "../components";

// Compiled to bin/provider/: the package root (package.json, tsconfig.json, components/*.ts, which the
// analyzer reads) is two levels up.
const packageRoot = path.resolve(__dirname, "..", "..");

void componentProviderHost({ name: "vaultkit", dirname: packageRoot, components: getPulumiComponents(components) });
