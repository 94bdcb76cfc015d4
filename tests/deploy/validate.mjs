// Offline schema validation of rendered Kubernetes manifests, with the JSON schemas
// that the npm packages kubernetes-models and @kubernetes-models/prometheus-operator
// carry (no cluster, no network).
//
//   node validate.mjs validate < rendered.yaml   -> JSON {objects, errors} on stdout
//   node validate.mjs tojson FILE.yaml           -> the documents of FILE as JSON
//
// Exit 0 either way when the input could be read; the Python test asserts on the JSON.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

// The JSON schemas of Kubernetes allow unknown fields, so a misspelt key would pass
// them. Every field name that any model's type declaration (.d.ts) knows, to flag
// keys that exist nowhere.
const FREE_FORM = new Set(["labels", "annotations", "matchLabels", "data", "binaryData",
  "requests", "limits", "nodeSelector"]);

function knownFields() {
  const names = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".d.ts")) {
        for (const m of readFileSync(p, "utf8").matchAll(/^\s*"?([A-Za-z0-9_$-]+)"?\??:/gm)) {
          names.add(m[1]);
        }
      }
    }
  };
  for (const pkg of ["kubernetes-models", "@kubernetes-models"]) {
    walk(new URL(`./node_modules/${pkg}`, import.meta.url).pathname);
  }
  return names;
}

function unknownKeys(obj, known, path, out) {
  if (Array.isArray(obj)) {
    obj.forEach((v, i) => unknownKeys(v, known, `${path}[${i}]`, out));
  } else if (obj && typeof obj === "object") {
    for (const [k, v] of Object.entries(obj)) {
      if (!known.has(k)) out.push(`${path}.${k}`);
      const freeForm = FREE_FORM.has(k) ||
        (k === "selector" && v && typeof v === "object" &&
         Object.values(v).every((x) => typeof x === "string"));
      if (!freeForm) unknownKeys(v, known, `${path}.${k}`, out);
    }
  }
  return out;
}

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
  const known = knownFields();
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
    for (const k of unknownKeys(obj, known, "", [])) {
      errors.push(`${id}: unknown field ${k}`);
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
