import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "generated/**"],
    pool: "forks",
    execArgv: ["--no-node-snapshot", "--heap-growing-percent=100"], // as bin/portcullis.mjs runs the server
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
