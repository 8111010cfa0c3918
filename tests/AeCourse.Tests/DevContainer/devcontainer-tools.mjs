// The devcontainer's files read by the libraries the editors and Docker's clients read them with, for the tests:
//   node devcontainer-tools.mjs validate SCHEMA FILE     {"errors"}: devcontainer.json read by VS Code's JSONC parser
//                                                        (jsonc-parser); its syntax errors, else the schema's (Ajv)
//   node devcontainer-tools.mjs dockerfile FILE          {"errors", "stages"}: the Dockerfile as VS Code's Dockerfile
//                                                        language server parses (dockerfile-ast) and lints it
//                                                        (dockerfile-utils); errors are the linter's diagnostics
//   node devcontainer-tools.mjs ignores IGNOREFILE PATH... {"errors"}: the paths the .dockerignore file leaves out of
//                                                        the build context, by Docker's rules (@balena/dockerignore)
// Prints one JSON object; exit 0 without errors, 1 with, 2 on bad arguments.
// The packages are resolved from the working folder (the tests' npm folder), not from this file's folder, so the script
// runs from the repository as it is.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));

/** Parses JSONC as VS Code reads devcontainer.json (comments and trailing commas allowed); errors name line and column. */
function parse(file) {
  const jsonc = require('jsonc-parser');
  const text = readFileSync(file, 'utf8');
  const found = [];
  const value = jsonc.parse(text, found, { allowTrailingComma: true, disallowComments: false });
  const errors = found.map(e => `${file}:${lineOf(text, e.offset)}: ${jsonc.printParseErrorCode(e.error)}`);
  return { errors, value };
}

function validate(schemaFile, file) {
  const Ajv = require('ajv');
  const { errors, value } = parse(file);
  if (errors.length > 0) return { errors };
  // strict: a keyword Ajv does not know, in the schema, is an error rather than silently ignored.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  const check = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
  if (check(value)) return { errors: [] };
  return {
    errors: check.errors.map(e => `${e.instancePath || '/'} ${e.message}` + (e.params?.additionalProperty ? `: ${e.params.additionalProperty}` : '')),
  };
}

/** The stages (name, FROM image, instructions with their arguments, flags and JSON form) and the linter's findings. */
function dockerfile(file) {
  const { DockerfileParser } = require('dockerfile-ast');
  const { validate: lint } = require('dockerfile-utils');
  const text = readFileSync(file, 'utf8');
  const stages = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      stages.push({ name: instruction.getBuildStage() ?? String(stages.length), from: instruction.getImage(), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({
      keyword,
      arguments: instruction.getArguments().map(a => a.getValue()),
      flags: Object.fromEntries((instruction.getFlags?.() ?? []).map(f => [f.getName(), f.getValue()])),
      json: instruction.getJSONStrings?.().map(s => s.getJSONValue()) ?? null,
    });
  }
  const errors = lint(text, {}).map(d => `${file}:${d.range.start.line + 1}: ${d.message}`);
  return { errors, stages };
}

function ignores(ignoreFile, paths) {
  const ignore = require('@balena/dockerignore');
  const rules = ignore().add(readFileSync(ignoreFile, 'utf8'));
  return { errors: paths.filter(p => rules.ignores(p)) };
}

function lineOf(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1).length + 1}`;
}

const [verb, ...args] = process.argv.slice(2);
const result = verb === 'validate' && args.length === 2 ? validate(args[0], args[1])
  : verb === 'dockerfile' && args.length === 1 ? dockerfile(args[0])
  : verb === 'ignores' && args.length >= 2 ? ignores(args[0], args.slice(1))
  : null;
if (result === null) {
  console.error('usage: devcontainer-tools.mjs validate SCHEMA FILE | dockerfile FILE | ignores IGNOREFILE PATH...');
  process.exit(2);
}
console.log(JSON.stringify(result));
process.exit(result.errors.length === 0 ? 0 : 1);
