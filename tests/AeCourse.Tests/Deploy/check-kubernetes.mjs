// Checks the Kubernetes manifests of a folder without a cluster, and prints the grader's command lines in them.
//
// The API's own schemas come from kubernetes-models, an independent package generated from the Kubernetes
// OpenAPI spec: each model's validate() checks types, enums, required fields and quantities. Those schemas, like
// the OpenAPI spec, let unknown fields through, which the API server's strict field validation refuses; so a
// walk over the field names of the package's generated type declarations refuses them here. Then the kit's
// own rules: the shard Job and its shell arithmetic (run for every index, with a stand-in for `aecourse`), the
// merge, the volumes, the sandbox's needs, no privileges, and a network policy that isolates every pod.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { bytes, finish, loadStrict, options, place, placeFolders, runWithStubs } from "./lib.mjs";

const GRADER_MEMORY_MIB = 6144; // `aecourse grade --help`: --memory's default, per submission
const folder = process.argv[2];
const problems = [];
const objects = [];
for (const file of readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  try {
    for (const doc of loadStrict(join(folder, file), { yaml11: true })) objects.push({ where: `${file}: ${doc.kind} ${doc.metadata?.name}`, doc });
  } catch (e) {
    problems.push(e.message);
  }
}

// --- The API's schemas ---------------------------------------------------------------------------------------
const models = dirname(dirname(fileURLToPath(import.meta.resolve("kubernetes-models/v1"))));
const { byFile, byAlias } = declarations([models, join(models, "..", "@kubernetes-models", "apimachinery")]);
for (const { where, doc } of objects) {
  const Model = await import(`kubernetes-models/${doc.apiVersion}`).then((m) => m[doc.kind], () => undefined);
  if (!Model) { problems.push(`${where}: kubernetes-models knows no ${doc.apiVersion} ${doc.kind}`); continue; }
  try { new Model(doc).validate(); } catch (e) { problems.push(`${where}: ${e.message}`); }
  const type = byFile.get(`${doc.apiVersion}/${doc.kind}.d.ts`);
  if (!type) problems.push(`${where}: kubernetes-models declares no fields for ${doc.apiVersion} ${doc.kind}`);
  for (const p of unknownFields(doc, type, "")) problems.push(`${where}: ${p}`);
}

/** Each interface the packages declare: its fields and their types, found by file and by exported alias. */
function declarations(roots) {
  const byFile = new Map(), byAlias = new Map();
  for (const root of roots)
    for (const file of readdirSync(root, { recursive: true })) {
      if (!file.endsWith(".d.ts") || file.startsWith("_schemas")) continue;
      const text = readFileSync(join(root, file), "utf8");
      const m = /^export interface (\w+)\b[^{]*\{\n([\s\S]*?)^\}/m.exec(text);
      if (!m) continue;
      const type = { name: m[1], open: /^ {4}\[key: string\]/m.test(m[2]), fields: new Map() };
      const lines = m[2].split("\n");
      lines.forEach((line, i) => {
        const f = /^ {4}"([^"]+)"\??: (.*?);?$/.exec(line);
        if (f) type.fields.set(f[1], f[2] === "{" ? `Map<${/: (.*?);$/.exec(lines[i + 1])[1]}>` : f[2]);
      });
      byFile.set(file.split("\\").join("/"), type);
      for (const a of text.matchAll(new RegExp(`\\b${m[1]} as (\\w+)`, "g"))) byAlias.set(a[1], type);
    }
  return { byFile, byAlias };
}

function* unknownFields(value, type, path) {
  if (!type || type.open || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, v] of Object.entries(value)) {
    const t = type.fields.get(key);
    if (t === undefined) yield `${path}${key}: unknown field (not in the API's ${type.name.slice(1)})`;
    else yield* fieldsOf(v, t, `${path}${key}`);
  }
}

function* fieldsOf(value, typeName, path) {
  const m = /^(Array|Map)<(.*)>$/.exec(typeName);
  if (!m) yield* unknownFields(value, byAlias.get(typeName), `${path}.`);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) yield* fieldsOf(v, m[2], m[1] === "Array" ? `${path}[${k}]` : `${path}.${k}`);
}

// --- Every pod: no privileges, no API token -------------------------------------------------------------------
const pods = objects.flatMap(({ where, doc }) =>
  doc.kind === "Job" ? [{ where, job: doc, spec: doc.spec?.template?.spec ?? {}, labels: doc.spec?.template?.metadata?.labels ?? {} }]
  : doc.kind === "Pod" ? [{ where, spec: doc.spec ?? {}, labels: doc.metadata?.labels ?? {} }] : []);
for (const { where, spec } of pods) {
  if (spec.automountServiceAccountToken !== false) problems.push(`${where}: automountServiceAccountToken must be false (the grader never calls the API server)`);
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[host]) problems.push(`${where}: ${host} must not be set`);
  for (const v of spec.volumes ?? []) if (v.hostPath) problems.push(`${where}: volume ${v.name} is a hostPath`);
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) problems.push(`${where}: container ${c.name} is privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: container ${c.name} must set allowPrivilegeEscalation: false`);
    if (sc.capabilities?.add?.length) problems.push(`${where}: container ${c.name} adds capabilities ${sc.capabilities.add}`);
    if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`${where}: container ${c.name} must drop ALL capabilities`);
  }
}

/** A container's mounts: path, read-only (the mount's or its claim's flag), and the claim behind it. */
function mounts(spec, container) {
  return (container.volumeMounts ?? []).map((m) => {
    const volume = (spec.volumes ?? []).find((v) => v.name === m.name) ?? {};
    return { path: m.mountPath, readOnly: m.readOnly === true || volume.persistentVolumeClaim?.readOnly === true, claim: volume.persistentVolumeClaim?.claimName, subPath: m.subPath };
  });
}

/** Runs a container's command as its image would (a shell script, with `aecourse` a stand-in); the calls to aecourse. */
function run(container, env, script = (s) => s) {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (!/(^|\/)(ba)?sh$/.test(argv[0] ?? "") || argv[1] !== "-c") return [["aecourse", ...argv]]; // the image's entry point
  const vars = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? ""]));
  const result = runWithStubs([argv[0], "-c"], script(argv[2]), { ...vars, ...env }, ["aecourse"]);
  if (result.status !== 0) throw new Error(`its script failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.calls.filter((c) => c[0] === "aecourse");
}

// --- The shard Job ----------------------------------------------------------------------------------------------
const invocations = [];
const shardPods = pods.filter((p) => p.job?.spec?.completionMode === "Indexed");
if (shardPods.length !== 1) problems.push(`expected one Indexed Job (the shards), found ${shardPods.length}`);
let shards = null, output = null;
for (const { where, job, spec } of shardPods) {
  shards = job.spec.completions;
  const container = spec.containers?.[0] ?? {};
  const need = (ok, text) => { if (!ok) problems.push(`${where}: ${text}`); };
  need(Number.isInteger(shards) && shards >= 1, "completions must be the number of shards");
  need(spec.containers?.length === 1, "the shard pod runs one container, the grader");
  need(Number.isInteger(job.spec.backoffLimitPerIndex), "backoffLimitPerIndex must be set (a failed shard is retried alone)");
  need(Number.isInteger(job.spec.activeDeadlineSeconds), "activeDeadlineSeconds must be set");
  need(spec.restartPolicy === "Never", "restartPolicy must be Never");
  // What bubblewrap needs inside a pod (deploy/README.md); without it the grader refuses to grade (exit 1).
  const sc = container.securityContext ?? {};
  const relaxed = (profile) => ["Unconfined", "Localhost"].includes(profile?.type);
  need(spec.hostUsers === false, "hostUsers must be false (a user namespace for the pod; procMount: Unmasked requires it)");
  need(sc.procMount === "Unmasked", "the grader needs procMount: Unmasked (bubblewrap mounts a fresh /proc)");
  need(relaxed(sc.seccompProfile ?? spec.securityContext?.seccompProfile), "the grader needs a seccomp profile that allows unshare() and mount() (Unconfined or Localhost)");
  need(relaxed(sc.appArmorProfile ?? spec.securityContext?.appArmorProfile), "the grader needs an AppArmor profile that allows mounts (Unconfined or Localhost)");
  if (!Number.isInteger(shards) || shards < 1) continue;

  const list = mounts(spec, container);
  const prefixes = new Set();
  for (let index = 0; index < shards; index++) {
    let calls;
    try { calls = run(container, { JOB_COMPLETION_INDEX: String(index) }); } catch (e) { problems.push(`${where}: index ${index}: ${e.message}`); break; }
    if (calls.length !== 1 || calls[0][1] !== "grade") { problems.push(`${where}: index ${index} does not run aecourse grade once: ${JSON.stringify(calls)}`); break; }
    const args = calls[0].slice(1), o = options(args.slice(1));
    if (o["--shard"] !== `${index + 1}/${shards}`) { problems.push(`${where}: JOB_COMPLETION_INDEX=${index} must grade --shard ${index + 1}/${shards}, not ${o["--shard"]}`); break; }
    if (!o["--summary"] || prefixes.has(o["--summary"])) { problems.push(`${where}: shard ${index + 1}'s --summary must be given and differ from every other shard's (${o["--summary"]})`); break; }
    prefixes.add(o["--summary"]);
    if (index > 0) continue;
    // The first shard stands for all: the same folders, the same limits.
    invocations.push(args);
    output = placeFolders(problems, o, list, where);
    const jobs = Number(o["--jobs"] ?? 1), memory = Number(o["--memory"] ?? GRADER_MEMORY_MIB);
    const { requests = {}, limits = {} } = container.resources ?? {};
    const cpus = (q) => (String(q).endsWith("m") ? parseFloat(q) / 1000 : Number(q));
    need(cpus(requests.cpu) >= jobs, `requests.cpu must be at least --jobs (${jobs})`);
    need(limits.memory && bytes(limits.memory) >= jobs * memory * 2 ** 20, `limits.memory must hold --jobs × --memory (${jobs} × ${memory} MiB)`);
  }
  if (output) output.parts = [...prefixes].map((p) => `${p}.json`);
}

// --- The merge ---------------------------------------------------------------------------------------------------
// Its script runs with the shards' output volume in a temporary folder holding their parts and two decoys (a part
// of another N, an earlier merge): it must name exactly this N's parts. (Skipped when the shards' checks failed.)
const mergePods = pods.filter((p) => p.job && p.job.spec?.completionMode !== "Indexed");
if (mergePods.length !== 1) problems.push(`expected one other Job (the merge), found ${mergePods.length}`);
for (const { where, spec } of output ? mergePods : []) {
  const container = spec.containers?.[0] ?? {};
  const list = mounts(spec, container);
  const volume = list.find((m) => m.claim === output.claim && m.subPath === output.subPath);
  if (!volume) { problems.push(`${where}: must mount the shards' output volume (claim ${output.claim})`); continue; }
  const temp = mkdtempSync(join(tmpdir(), "aecourse-parts-"));
  try {
    const parts = output.parts.map((p) => p.slice(output.path.length)); // relative to the volume
    for (const part of [...parts, `/grades-1-of-${shards + 1}.json`, "/grades.json"]) {
      mkdirSync(dirname(temp + part), { recursive: true });
      writeFileSync(temp + part, "{}");
    }
    const calls = run(container, {}, (s) => s.split(volume.path).join(temp)).map((c) => c.map((a) => a.split(temp).join(volume.path)));
    const args = calls[0]?.slice(1) ?? [];
    invocations.push(args);
    const o = options(args.slice(2));
    const expected = parts.map((p) => volume.path + p).sort();
    if (calls.length !== 1 || args[0] !== "grade" || args[1] !== "merge") problems.push(`${where}: must run aecourse grade merge once: ${JSON.stringify(calls)}`);
    else if (JSON.stringify([...o._].sort()) !== JSON.stringify(expected)) problems.push(`${where}: merges ${JSON.stringify(o._)}, not the ${shards} shards' parts ${JSON.stringify(expected)}`);
    place(problems, posix.dirname(o["--summary"] ?? "/"), list, `${where}: --summary`, true);
  } catch (e) {
    problems.push(`${where}: ${e.message}`);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

// --- The network policy: every pod isolated, in both directions, with no rule that lets anything through ---------
const policies = objects.filter((o) => o.doc.kind === "NetworkPolicy");
const selects = (selector = {}, labels) =>
  Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) =>
    ({ In: values.includes(labels[key]), NotIn: !values.includes(labels[key]), Exists: key in labels, DoesNotExist: !(key in labels) })[operator]);
for (const { where, labels } of pods) {
  const selecting = policies.filter((p) => selects(p.doc.spec?.podSelector, labels));
  for (const p of selecting)
    for (const rules of ["ingress", "egress"]) if (p.doc.spec[rules]?.length) problems.push(`${p.where}: ${rules} rules let traffic reach or leave ${where}; the grader needs no network`);
  const types = new Set(selecting.flatMap((p) => p.doc.spec.policyTypes ?? []));
  if (!types.has("Ingress") || !types.has("Egress")) problems.push(`${where}: no network policy denies both its ingress and its egress (policyTypes Ingress and Egress)`);
}

finish(problems, { shards, invocations });
