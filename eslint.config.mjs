// Lint: typescript-eslint's recommended rules plus Pulumi's own plugin, which catches Outputs
// interpolated into template strings (use pulumi.interpolate instead).
import tseslint from "typescript-eslint";
import pulumiPlugin from "@pulumi/eslint-plugin";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "render/**", ".stryker-tmp*/**", "reports/**", "examples/**/node_modules/**", "**/*.js", "**/*.mjs"] },
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumiPlugin },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
);
