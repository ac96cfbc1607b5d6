import { defineConfig } from "vite";

// Everything is bundled into dist/ (no CDN at run time). JSX is Preact's (tsconfig: jsxImportSource).
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
});
