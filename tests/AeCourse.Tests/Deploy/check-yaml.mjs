// Reads every YAML file given with the `yaml` package (an independent YAML 1.2 parser, strict: errors,
// warnings and duplicate keys fail), all documents of each. Prints how many documents each file holds.
import { finish, loadStrict } from "./lib.mjs";

const problems = [];
const documents = {};
for (const file of process.argv.slice(2)) {
  try {
    documents[file] = loadStrict(file).length;
  } catch (e) {
    problems.push(e.message);
  }
}
finish(problems, { documents });
