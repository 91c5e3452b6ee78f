// Compile Solidity with the pinned npm `solc` package.
//
// Reads a solc standard-JSON input on stdin and writes the standard-JSON output on
// stdout, with `solcVersion` added. Imports that start with `@openzeppelin/` resolve
// to this folder's node_modules; everything else resolves relative to this folder.
// The Python side (`tokensim compile`, sim/chain/compiler.py) builds the input and
// turns the output into sim/artifacts/*.json.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const solc = require("solc");
const here = path.dirname(fileURLToPath(import.meta.url));

function findImports(importPath) {
  const candidates = importPath.startsWith("@")
    ? [path.join(here, "node_modules", importPath)]
    : [path.join(here, importPath), path.join(here, "node_modules", importPath)];
  for (const file of candidates) {
    if (fs.existsSync(file)) {
      return { contents: fs.readFileSync(file, "utf8") };
    }
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, "utf8");
const output = JSON.parse(solc.compile(input, { import: findImports }));
output.solcVersion = solc.version();
process.stdout.write(JSON.stringify(output));
