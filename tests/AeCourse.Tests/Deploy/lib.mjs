// Helpers the deploy checks share: strict YAML loading, running a manifest's or a workflow's shell script with
// stand-ins for the programs it calls, and the path and size arithmetic the checks need.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import YAML from "yaml";

/**
 * Every document of a YAML file, read by the `yaml` package (YAML 1.2) with nothing let through: a syntax error,
 * a duplicate key or any warning throws. With `yaml11`, the file must also read the same as YAML 1.1, which
 * Kubernetes' Go YAML library follows (there `on`, `yes` or `0755` would be a boolean or an octal number).
 */
export function loadStrict(file, { yaml11 = false } = {}) {
  const text = readFileSync(file, "utf8");
  const read = (version) => YAML.parseAllDocuments(text, { version, uniqueKeys: true, strict: true, prettyErrors: true });
  const docs = read("1.2");
  const faults = docs.flatMap((d) => [...d.errors, ...d.warnings]).map((e) => `${file}: ${e.message}`);
  if (faults.length > 0) throw new Error(faults.join("\n"));
  const values = docs.map((d) => d.toJS()).filter((v) => v !== null);
  if (yaml11) {
    const old = read("1.1").map((d) => d.toJS()).filter((v) => v !== null);
    if (JSON.stringify(old) !== JSON.stringify(values)) throw new Error(`${file}: reads differently as YAML 1.1 (as Kubernetes reads it)`);
  }
  return values;
}

/**
 * Runs `script` with `shell` (e.g. ["/bin/sh", "-c"]) and `env`, with each program named in `stubs` replaced by
 * a stand-in that records its arguments and succeeds. Returns the exit status, the output, and the calls made,
 * each as [program, ...args].
 */
export function runWithStubs(shell, script, env, stubs) {
  const dir = mkdtempSync(join(tmpdir(), "aecourse-deploy-"));
  try {
    const log = join(dir, "calls");
    writeFileSync(log, "");
    for (const name of stubs) {
      const stub = join(dir, name);
      writeFileSync(stub, `#!/bin/sh\n{ printf '%s\\0' "${name}" "$@"; printf '\\036\\0'; } >> '${log}'\n`);
      chmodSync(stub, 0o755);
    }
    let status = 0, stdout = "", stderr = "";
    try {
      stdout = execFileSync(shell[0], [...shell.slice(1), script], { env: { ...env, PATH: `${dir}:/usr/bin:/bin` }, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      ({ status, stdout, stderr } = e);
    }
    const calls = [];
    let call = [];
    for (const part of readFileSync(log, "utf8").split("\0").slice(0, -1)) {
      if (part === "\x1e") { calls.push(call); call = []; } else call.push(part);
    }
    return { status, stdout, stderr, calls };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The grader's options from its arguments (after the verb): { "--shard": "3/20", "--quick": true, _: [positional] }. */
export function options(args, flags = ["--quick", "--no-sandbox", "--show-hidden-tests"]) {
  const result = { _: [] };
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith("--")) result._.push(args[i]);
    else if (flags.includes(args[i])) result[args[i]] = true;
    else result[args[i]] = args[++i];
  }
  return result;
}

/** The mount that holds `path`: the one with the longest matching prefix, or undefined. */
export function mountFor(path, mounts) {
  const holds = (m) => typeof m.path === "string" && (path === m.path || path.startsWith(m.path.endsWith("/") ? m.path : m.path + "/"));
  return mounts.filter(holds).sort((a, b) => b.path.length - a.path.length)[0];
}

/** Notes a problem unless `path` lies on a mount (`{ path, readOnly }`) that is writable or read-only as asked; the mount. */
export function place(problems, path, mounts, what, writable) {
  const m = mountFor(path, mounts);
  if (!m) problems.push(`${what} ${path} is on no mount`);
  else if (writable === m.readOnly) problems.push(`${what} ${path} must be on a ${writable ? "writable" : "read-only"} mount (${m.path})`);
  return m;
}

/** The grader's folders where they belong: the class and the sources read-only, its outputs writable; the summary's mount. */
export function placeFolders(problems, o, mounts, what) {
  place(problems, o._[0], mounts, `${what}: the class folder`, false);
  place(problems, o["--source"], mounts, `${what}: --source`, false);
  place(problems, o["--feedback"], mounts, `${what}: --feedback`, true);
  return place(problems, posix.dirname(o["--summary"] ?? "/"), mounts, `${what}: --summary`, true);
}

/** Bytes in a Kubernetes quantity such as 16Gi, 512M or 2e9. */
export function bytes(quantity) {
  const m = /^([0-9.e+]+)([KMGTE]i?)?$/.exec(String(quantity));
  if (!m) throw new Error(`not a quantity: ${quantity}`);
  const power = { K: 1, M: 2, G: 3, T: 4, E: 6 }[m[2]?.[0]] ?? 0;
  return Number(m[1]) * (m[2]?.endsWith("i") ? 1024 : 1000) ** power;
}

/** A shell glob (`*` and `?` only) as a regular expression for whole names. */
export const globRegExp = (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);

/** Prints what the checks found and exits: 1 with the problems on stderr, else 0 with `result` as JSON. */
export function finish(problems, result) {
  if (problems.length > 0) {
    console.error(problems.map((p) => `- ${p}`).join("\n"));
    process.exit(1);
  }
  console.log(JSON.stringify(result, null, 2));
}
