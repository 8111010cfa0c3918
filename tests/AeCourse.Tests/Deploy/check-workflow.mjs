// Checks a GitHub Actions workflow without GitHub, and prints the grader's command lines in it.
//
// GitHub's own workflow parser, @actions/workflow-parser (actions/languageservices, behind the Actions extension
// for VS Code), reads it against the official workflow schema: unknown keys, wrong types, malformed
// expressions, jobs that need unknown jobs. GitHub's expression library, @actions/expressions, evaluates its
// ${{ }} expressions. Then the kit's rules, by running the workflow's own scripts with stand-ins for docker and
// sudo: the planned matrix is shards 1..N for every allowed N (and the plan fails otherwise); each shard grades
// --shard K/N in the sandbox's container, inputs read-only, no network, and uploads its part under a name of
// its own; the merge job needs the shards, downloads every part and merges exactly this N's; permissions are
// read-only and every action is pinned to a commit.
import { register } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, posix } from "node:path";
import { finish, globRegExp, loadStrict, mountFor, options, place, placeFolders, runWithStubs } from "./lib.mjs";

// The parser imports its schema as `import schema from "./workflow-v1.0.min.json"`, which bundlers accept and
// Node refuses without an import attribute: this hook hands Node such a file as a module.
register("data:text/javascript," + encodeURIComponent(`
  import { readFileSync } from "node:fs";
  export async function load(url, context, next) {
    if (!url.endsWith(".json") || context.importAttributes?.type === "json") return next(url, context);
    return { format: "module", source: "export default " + readFileSync(new URL(url), "utf8"), shortCircuit: true };
  }`));
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
const { Evaluator, Lexer, Parser, data } = await import("@actions/expressions");

const file = process.argv[2];
const problems = [];
let wf = {};
try { [wf] = loadStrict(file); } catch (e) { problems.push(e.message); }
const parsed = parseWorkflow({ name: basename(file), content: readFileSync(file, "utf8") }, new NoOperationTraceWriter());
if (parsed.value) await convertWorkflowTemplate(parsed.context, parsed.value);
problems.push(...parsed.context.errors.getErrors().map((e) => e.message));
if (problems.length > 0) finish(problems); // the rest needs a valid workflow

// --- Permissions and actions -------------------------------------------------------------------------------------
const readOnly = (p) => p === "read-all" || (typeof p === "object" && Object.values(p).every((v) => v === "read" || v === "none"));
if (!readOnly(wf.permissions)) problems.push(`permissions must be read-only at the top (as contents: read), not ${JSON.stringify(wf.permissions)}`);
for (const [id, job] of Object.entries(wf.jobs)) {
  if (job.permissions !== undefined && !readOnly(job.permissions)) problems.push(`job ${id}: permissions must be read-only`);
  for (const step of job.steps ?? [])
    if (step.uses && !/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(step.uses)) problems.push(`job ${id}: ${step.uses} must be pinned to a full commit`);
}

// --- Expressions and steps, as the runner would have them --------------------------------------------------------
function evaluate(expression, contexts) {
  const tree = new Parser(new Lexer(expression).lex().tokens, Object.keys(contexts), []).parse();
  return new Evaluator(tree, JSON.parse(JSON.stringify(contexts), data.reviver)).evaluate();
}

/** A value with its ${{ }} evaluated: a value that is one expression keeps its type; in text, each is a string. */
function expand(value, contexts) {
  if (typeof value !== "string") return value;
  const whole = /^\$\{\{((?:(?!\}\}).)*)\}\}$/s.exec(value.trim());
  if (whole) return JSON.parse(JSON.stringify(evaluate(whole[1], contexts), data.replacer));
  return value.replace(/\$\{\{(.*?)\}\}/gs, (_, e) => evaluate(e, contexts).coerceString());
}

const expandAll = (map, contexts) => Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, expand(v, contexts)]));

const shell = ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"]; // `shell: bash` on a Linux runner

/** Runs a job's `run` steps in order, docker and sudo as stand-ins; each step's outputs, and every call made. */
function runJob(job, contexts, temp) {
  const steps = {}, calls = [];
  const runner = { RUNNER_TEMP: join(temp, "runner"), GITHUB_WORKSPACE: join(temp, "workspace") };
  for (const [i, step] of (job.steps ?? []).entries()) {
    if (!step.run) { calls.push(["uses", step.uses, expandAll(step.with, { ...contexts, steps })]); continue; }
    const output = join(temp, `output-${i}`);
    writeFileSync(output, "");
    const env = Object.fromEntries(Object.entries(expandAll({ ...wf.env, ...job.env, ...step.env }, { ...contexts, steps })).map(([k, v]) => [k, String(v)]));
    const result = runWithStubs(shell, step.run, { ...runner, ...env, GITHUB_OUTPUT: output }, ["docker", "sudo"]);
    calls.push(...result.calls);
    if (result.status !== 0) return { failed: `step ${step.name ?? step.id ?? i + 1} failed (exit ${result.status}): ${result.stderr.trim()}`, calls };
    if (step.id) steps[step.id] = { outputs: Object.fromEntries(readFileSync(output, "utf8").split("\n").filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2))) };
  }
  return { steps, calls };
}

/** Docker's `run` call: its volumes, whether it has a network, and the grader's arguments after the image. */
function dockerRun(calls, image) {
  const runs = calls.filter((c) => c[0] === "docker" && c[1] === "run");
  if (runs.length !== 1) throw new Error(`expected one docker run, found ${runs.length}`);
  const argv = runs[0], at = argv.indexOf(image);
  if (at < 0) throw new Error(`docker run does not start the image ${image}`);
  const flags = argv.slice(2, at), volumes = [];
  flags.forEach((f, i) => {
    if (f !== "--volume" && f !== "-v") return;
    const [host, path, mode = ""] = flags[i + 1].split(":");
    volumes.push({ host, path, readOnly: mode.split(",").includes("ro") });
  });
  const hostPath = (p) => { const v = mountFor(p, volumes); return v && v.host + p.slice(v.path.length); };
  return { flags: flags.join(" "), volumes, hostPath, args: argv.slice(at + 1) };
}

/** The upload-artifact call, among a job's, whose path lists `file`. */
const uploading = (calls, file) => calls.find((c) => c[0] === "uses" && /^actions\/upload-artifact@/.test(c[1]) && String(c[2].path).split("\n").includes(file));

// --- The plan and the matrix --------------------------------------------------------------------------------------
const inputs = wf.on?.workflow_dispatch?.inputs ?? {};
const defaults = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.default]));
const count = Object.entries(inputs).filter(([, v]) => v.type === "number").map(([k]) => k);
const matrixJobs = Object.entries(wf.jobs).filter(([, j]) => typeof j.strategy?.matrix === "object");
const image = /\s-t\s+(\S+)/.exec(Object.values(wf.jobs).flatMap((j) => j.steps ?? []).map((s) => s.run ?? "").find((r) => /docker build/.test(r)) ?? "")?.[1];
if (count.length !== 1) problems.push(`expected one workflow_dispatch input of type number (the shard count), found ${count.length}`);
if (matrixJobs.length !== 1) problems.push(`expected one job with a matrix (the shards), found ${matrixJobs.length}`);
if (!image) problems.push("no step builds the grader image (docker build ... -t NAME)");
if (problems.length > 0) finish(problems);
const [gradeId, grade] = matrixJobs[0];
const [key, matrixValue] = Object.entries(grade.strategy.matrix)[0];
const temp = mkdtempSync(join(tmpdir(), "aecourse-workflow-"));
process.on("exit", () => rmSync(temp, { recursive: true, force: true }));
let scratches = 0;
const scratch = (name) => {
  const dir = join(temp, `${++scratches}-${name}`);
  for (const d of ["runner", "workspace"]) mkdirSync(join(dir, d), { recursive: true });
  return dir;
};

/** The needs context the shard jobs see when the workflow is started with `shards` (or why the plan failed). */
function plan(shards) {
  const contexts = { inputs: { ...defaults, [count[0]]: shards } };
  const needs = {};
  for (const id of [grade.needs ?? []].flat()) {
    const job = wf.jobs[id];
    if (!job.outputs) { needs[id] = { result: "success", outputs: {} }; continue; }
    const result = runJob(job, contexts, scratch(`plan-${id}-${shards}`));
    if (result.failed) return { failed: `job ${id}: ${result.failed}` };
    needs[id] = { result: "success", outputs: expandAll(job.outputs, { ...contexts, steps: result.steps }) };
  }
  try { return { needs, matrix: expand(matrixValue, { ...contexts, needs }) }; } catch (e) { return { failed: `the matrix ${matrixValue}: ${e.message}` }; }
}

for (const shards of [1, 2, 3, 20, 256]) {
  const { failed, matrix } = plan(shards);
  const expected = Array.from({ length: shards }, (_, i) => i + 1);
  if (failed) problems.push(`with ${count[0]} = ${shards}: ${failed}`);
  else if (JSON.stringify(matrix) !== JSON.stringify(expected)) problems.push(`with ${count[0]} = ${shards}, the matrix ${key} is ${JSON.stringify(matrix)}, not 1..${shards}`);
}
for (const bad of ["0", "257", "", "2.5", "-3", "1e2", "x"])
  if (!plan(bad).failed) problems.push(`with ${count[0]} = "${bad}" the plan must fail, not plan shards`);

// --- The shards --------------------------------------------------------------------------------------------------
if (problems.length > 0) finish(problems); // the shards' checks need the plan
const shards = 3, { needs } = plan(shards), invocations = [], parts = [], names = new Set();
const quick = Object.keys(inputs).find((k) => inputs[k].type === "boolean");
for (const [shard, quickValue] of [[1, true], [2, true], [3, true], [1, false]]) {
  const what = `job ${gradeId}, shard ${shard} of ${shards}${quickValue ? "" : ` (${quick} false)`}`;
  const dir = scratch(`shard-${shard}-${quickValue}`);
  const contexts = { inputs: { ...defaults, [count[0]]: shards, [quick]: quickValue }, needs, matrix: { [key]: shard }, runner: { temp: join(dir, "runner") }, github: { workspace: join(dir, "workspace") } };
  const { failed, calls } = runJob(grade, contexts, dir);
  if (failed) { problems.push(`${what}: ${failed}`); continue; }
  try {
    const run = dockerRun(calls, image), o = options(run.args.slice(1));
    const sysctl = calls.findIndex((c) => c.join(" ") === "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
    if (sysctl < 0 || sysctl > calls.findIndex((c) => c[1] === "run")) problems.push(`${what}: must allow user namespaces (sysctl kernel.apparmor_restrict_unprivileged_userns=0) before grading`);
    for (const needed of ["--network none", "seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"])
      if (!run.flags.includes(needed)) problems.push(`${what}: docker run needs ${needed} (no network; what bubblewrap needs in a container)`);
    if (run.args[0] !== "grade" || o["--shard"] !== `${shard}/${shards}`) problems.push(`${what}: must run grade --shard ${shard}/${shards}, not ${run.args.join(" ")}`);
    if (Boolean(o["--quick"]) !== quickValue) problems.push(`${what}: --quick must follow the ${quick} input`);
    placeFolders(problems, o, run.volumes, what);
    if (!quickValue) continue;
    invocations.push(run.args);
    // Its part, uploaded under a name no other shard uses.
    const part = `${run.hostPath(o["--summary"])}.json`;
    const upload = uploading(calls, part);
    if (!upload) problems.push(`${what}: no upload-artifact step uploads its part ${part}`);
    else if (names.has(upload[2].name)) problems.push(`${what}: its artifact name ${upload[2].name} is another shard's`);
    else { names.add(upload[2].name); parts.push({ artifact: upload[2].name, file: basename(part) }); }
  } catch (e) {
    problems.push(`${what}: ${e.message}`);
  }
}

// --- The merge ---------------------------------------------------------------------------------------------------
// Run with the parts where its download step puts them (merge-multiple: one folder), plus a part of another N.
const merges = Object.entries(wf.jobs).filter(([, j]) => [j.needs ?? []].flat().includes(gradeId));
if (merges.length !== 1) problems.push(`expected one job that needs ${gradeId} (the merge), found ${merges.length}`);
for (const [id, job] of parts.length === shards ? merges : []) {
  const dir = scratch(`merge-${id}`), runnerTemp = join(dir, "runner");
  const contexts = { inputs: { ...defaults, [count[0]]: shards }, needs, runner: { temp: runnerTemp }, github: { workspace: join(dir, "workspace") } };
  const downloads = (job.steps ?? []).filter((s) => /^actions\/download-artifact@/.test(s.uses ?? "")).map((s) => expandAll(s.with, contexts));
  const download = downloads.find((w) => w.pattern && parts.every((p) => globRegExp(w.pattern).test(p.artifact)));
  if (!download || String(download["merge-multiple"]) !== "true") { problems.push(`job ${id}: no download-artifact step takes every part (a pattern matching ${parts.map((p) => p.artifact)}, merge-multiple: true)`); continue; }
  mkdirSync(download.path, { recursive: true });
  for (const f of [...parts.map((p) => p.file), `grades-1-of-${shards + 1}.json`]) writeFileSync(join(download.path, f), "{}");
  const { failed, calls } = runJob(job, contexts, dir);
  if (failed) { problems.push(`job ${id}: ${failed}`); continue; }
  try {
    const run = dockerRun(calls, image), o = options(run.args.slice(2));
    invocations.push(run.args);
    const merged = o._.map((p) => run.hostPath(p)).sort(), expected = parts.map((p) => join(download.path, p.file)).sort();
    if (run.args[0] !== "grade" || run.args[1] !== "merge") problems.push(`job ${id}: must run grade merge, not ${run.args.join(" ")}`);
    else if (JSON.stringify(merged) !== JSON.stringify(expected)) problems.push(`job ${id}: merges ${JSON.stringify(merged)}, not the ${shards} parts ${JSON.stringify(expected)}`);
    place(problems, posix.dirname(o["--summary"] ?? "/"), run.volumes, `job ${id}: --summary`, true);
    if (!uploading(calls, `${run.hostPath(o["--summary"])}.csv`)) problems.push(`job ${id}: no upload-artifact step uploads the merged ${o["--summary"]}.csv`);
  } catch (e) {
    problems.push(`job ${id}: ${e.message}`);
  }
}
finish(problems, { shards: `1..N from the input ${count[0]}`, invocations });
