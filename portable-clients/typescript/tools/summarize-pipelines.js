#!/usr/bin/env node
// Lists what the pipelines recorded by recording-job-server.js ask of a runner: URNs of
// the primitive (leaf) transforms, coders, windowing, environments, requirements and
// pipeline options, with how many pipelines use each. This is the checklist the Redwood
// job server has to cover for the TypeScript SDK.
//
//   node tools/summarize-pipelines.js OUT_DIR
"use strict";

const fs = require("fs");
const path = require("path");
require("apache-beam"); // the package index must load before its proto modules
const runnerApi = require("apache-beam/proto/beam_runner_api");

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node tools/summarize-pipelines.js OUT_DIR");
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((f) => /^pipeline-\d+\.json$/.test(f));
const tallies = {};
function tally(kind, key) {
  tallies[kind] = tallies[kind] || new Map();
  tallies[kind].set(key, (tallies[kind].get(key) || 0) + 1);
}

for (const f of files) {
  const rec = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  const p = rec.pipeline;
  const seen = {};
  const once = (kind, key) => {
    const k = kind + "\u0000" + key;
    if (!seen[k]) {
      seen[k] = true;
      tally(kind, key);
    }
  };
  const transforms = p.components.transforms || {};
  for (const t of Object.values(transforms)) {
    const urn = (t.spec && t.spec.urn) || "(no urn: composite)";
    const leaf = !t.subtransforms || t.subtransforms.length === 0;
    once(leaf ? "leaf transform" : "composite transform", urn);
    if (leaf && t.environmentId === undefined && t.spec && t.spec.urn === "beam:transform:pardo:v1") {
      once("pardo without environment", t.uniqueName);
    }
  }
  for (const c of Object.values(p.components.coders || {})) once("coder", c.spec.urn);
  for (const w of Object.values(p.components.windowingStrategies || {})) {
    once("window fn", w.windowFn.urn);
    once("windowing", `merge=${w.mergeStatus || "UNSPECIFIED"} output_time=${w.outputTime || "UNSPECIFIED"} trigger=${Object.keys(w.trigger || {}).join(",")} accumulation=${w.accumulationMode || "UNSPECIFIED"} on_time=${w.onTimeBehavior || "UNSPECIFIED"}`);
  }
  for (const e of Object.values(p.components.environments || {})) {
    once("environment", e.urn || "(empty urn)");
    for (const cap of e.capabilities || []) once("environment capability", cap);
    for (const dep of e.dependencies || []) once("environment dependency", dep.typeUrn + " " + dep.roleUrn);
  }
  for (const r of p.requirements || []) once("requirement", r);
  for (const k of Object.keys(rec.pipelineOptions || {})) once("pipeline option", k);
  for (const t of Object.values(transforms)) {
    if (t.spec && t.spec.urn === "beam:transform:pardo:v1" && t.spec.payload) {
      // ParDoPayload features that need runner support beyond a plain ParDo.
      const pd = runnerApi.ParDoPayload.fromBinary(Buffer.from(t.spec.payload, "base64"));
      once("pardo do_fn urn", pd.doFn ? pd.doFn.urn : "(none)");
      if (Object.keys(pd.sideInputs || {}).length) {
        for (const si of Object.values(pd.sideInputs)) once("pardo side input access pattern", si.accessPattern.urn);
      }
      if (Object.keys(pd.stateSpecs || {}).length) once("pardo feature", "user state");
      if (Object.keys(pd.timerFamilySpecs || {}).length) once("pardo feature", "timers");
      if (pd.restrictionCoderId) once("pardo feature", "splittable DoFn");
      if (pd.requestsFinalization) once("pardo feature", "bundle finalization");
      if (pd.requiresStableInput) once("pardo feature", "stable input");
      if (pd.requiresTimeSortedInput) once("pardo feature", "time-sorted input");
      const outputs = Object.keys(t.outputs || {}).length;
      if (outputs > 1) once("pardo feature", "multiple outputs");
    }
  }
}

console.log(`${files.length} pipelines in ${dir}`);
for (const [kind, m] of Object.entries(tallies)) {
  console.log(`\n${kind}:`);
  for (const [k, n] of [...m.entries()].sort()) console.log(`  ${String(n).padStart(3)}  ${k}`);
}
