#!/usr/bin/env node
// Word count written against the Beam TypeScript SDK, used to check that the Redwood job
// server runs a portable pipeline from a non-Java SDK end to end.
//
//   node wordcount.js INPUT OUTPUT [--job_endpoint=localhost:PORT | --direct] [--timeout_seconds=N]
//
// The SDK's text IO is a Python cross-language transform (it needs a Python expansion
// service), so the input lines are read here and handed to beam.create, and the output is
// written by a DoFn. That DoFn runs in the LOOPBACK worker, i.e. in this process, so a local
// path works. OUTPUT gets one "word: count" line per word, sorted by word.
"use strict";

const fs = require("fs");
const path = require("path");
const { beam, parseArgs, makeRunner, runMain, stateName } = require("./common");
const { requireForSerialization } = require("apache-beam/serialization");

// DoFns are serialized into the pipeline; fs is referred to by name through this registry.
requireForSerialization("fs", fs);

/** Lower-case words of a line: split on anything that is not a letter, drop empty ones. */
function wordsOf(line) {
  return line
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w.length > 0);
}

/** Writes the grouped "word: count" lines to a file, sorted, through a temporary name. */
function writeLinesTo(outputPath) {
  const write = (group) => {
    const lines = [...group.value].sort();
    const tmp = outputPath + ".tmp";
    fs.writeFileSync(tmp, lines.map((l) => l + "\n").join(""));
    fs.renameSync(tmp, outputPath);
    return lines.length;
  };
  // serialize-closures needs each function's free variables spelled out (the SDK's
  // TypeScript transform adds this for compiled code; plain JS has to do it by hand).
  write.__closure = () => ({ fs, outputPath });
  return write;
}

/** The pipeline: lines -> words -> counts -> "word: count" -> one file. */
function wordCountPipeline(lines, outputPath) {
  const pipeline = (root) => {
    root
      .apply(beam.create(lines))
      .flatMap(wordsOf)
      .apply(beam.countPerElement())
      .map(formatCount)
      .apply(beam.groupBy(toSingleKey))
      .map(writeLinesTo(outputPath));
  };
  pipeline.__closure = () => ({ beam, lines, wordsOf, formatCount, toSingleKey, writeLinesTo, outputPath });
  return pipeline;
}

function formatCount(kv) {
  return `${kv.element}: ${kv.count}`;
}

// All lines go to one group so that one DoFn call writes the whole file.
function toSingleKey(_line) {
  return "";
}

async function main() {
  const { flags, positional } = parseArgs(process.argv.slice(2));
  if (positional.length !== 2) {
    console.error("usage: node wordcount.js INPUT OUTPUT [--job_endpoint=HOST:PORT | --direct] [--timeout_seconds=N]");
    return 2;
  }
  const input = positional[0];
  const output = path.resolve(positional[1]);
  const lines = fs.readFileSync(input, "utf8").split(/\r?\n/);
  if (fs.existsSync(output)) fs.unlinkSync(output);
  const { runner, description } = makeRunner(flags);
  console.log(`wordcount: ${lines.length} lines from ${input} on ${description}`);
  const result = await runner.runAsync(wordCountPipeline(lines, output));
  const state = await result.waitUntilFinish();
  console.log(`wordcount: job finished in state ${stateName(state)}`);
  if (stateName(state) !== "DONE") return 1;
  if (!fs.existsSync(output)) {
    console.error(`wordcount: job reported DONE but ${output} was not written`);
    return 1;
  }
  console.log(`wordcount: wrote ${output}`);
  return 0;
}

module.exports = { wordsOf, wordCountPipeline };

if (require.main === module) {
  runMain(main, parseArgs(process.argv.slice(2)).flags);
}
