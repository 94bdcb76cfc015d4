// Offline schema validation of rendered Kubernetes manifests, with the JSON schemas
// that the npm packages kubernetes-models and @kubernetes-models/prometheus-operator
// carry (no cluster, no network).
//
//   node validate.mjs validate < rendered.yaml   -> JSON {objects, errors} on stdout
//   node validate.mjs tojson FILE.yaml           -> the documents of FILE as JSON
//
// Exit 0 either way when the input could be read; the Python test asserts on the JSON.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

function docs(text) {
  const out = [];
  for (const d of parseAllDocuments(text)) {
    if (d.errors.length) throw new Error(d.errors.map(String).join("; "));
    const v = d.toJS();
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

async function validate(text) {
  const objects = docs(text);
  const errors = [];
  for (const obj of objects) {
    const id = `${obj.apiVersion}/${obj.kind}/${obj.metadata && obj.metadata.name}`;
    let Model;
    try {
      const mod = await import(modulePath(obj.apiVersion, obj.kind));
      Model = mod[obj.kind];
    } catch (e) {
      errors.push(`${id}: no schema for ${obj.apiVersion} ${obj.kind} (${e.message})`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      errors.push(`${id}: ${e.message}`);
    }
  }
  return { objects, errors };
}

const [mode, file] = process.argv.slice(2);
if (mode === "validate") {
  const text = readFileSync(file || 0, "utf8");
  process.stdout.write(JSON.stringify(await validate(text)));
} else if (mode === "tojson") {
  process.stdout.write(JSON.stringify(docs(readFileSync(file, "utf8"))));
} else {
  console.error("usage: node validate.mjs validate [FILE] | tojson FILE");
  process.exit(2);
}
