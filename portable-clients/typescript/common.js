// Shared command-line handling for the Redwood TypeScript-SDK clients: picks the runner
// (the Redwood job server through PortableRunner with a LOOPBACK worker, or the SDK's
// in-process DirectRunner for checking pipeline logic without a job server) and bounds
// every run in time, so a client never waits forever on a job server that does not answer.
"use strict";

// The package index must load first: its modules import each other in a cycle that
// only resolves in that order.
const beam = require("apache-beam");
const { PortableRunner } = require("apache-beam/runners/portable_runner/runner");
const { directRunner } = require("apache-beam/runners/direct_runner");
const { JobState_Enum } = require("apache-beam/proto/beam_job_api");

// The SDK's LOOPBACK worker leaves gRPC stream errors unhandled: when the job server stops a
// job's workers abruptly (a failed job's other tasks are killed), the worker's streams are
// reset and node would exit on the unhandled 'error' event before the client reads the job's
// final state. Such a reset ends that worker only; the client keeps going.
process.on("uncaughtException", (err) => {
  if (err && (err.code === 14 || err.code === 1) && /ECONNRESET|Connection dropped|CANCELLED/.test(String(err.details || err.message))) {
    console.log(`worker stream ended: ${err.details || err.message}`);
    return;
  }
  console.error(err);
  process.exit(1);
});

/** Parses --name=value flags; anything else is a positional argument. */
function parseArgs(argv) {
  const flags = {};
  const positional = [];
  for (const arg of argv) {
    const m = /^--([A-Za-z_]+)=(.*)$/.exec(arg);
    if (m) {
      flags[m[1]] = m[2];
    } else if (arg === "--direct") {
      flags.direct = "true";
    } else {
      positional.push(arg);
    }
  }
  return { flags, positional };
}

/**
 * The runner the flags ask for. The job endpoint comes from --job_endpoint or the
 * JOB_ENDPOINT environment variable; --direct (or --runner=direct) uses the SDK's
 * DirectRunner instead.
 */
function makeRunner(flags) {
  if (flags.direct === "true" || flags.runner === "direct") {
    return { runner: directRunner(), description: "DirectRunner (in process)" };
  }
  const jobEndpoint = flags.job_endpoint || process.env.JOB_ENDPOINT;
  if (!jobEndpoint) {
    throw new Error("no job endpoint: pass --job_endpoint=localhost:PORT or set JOB_ENDPOINT (or --direct)");
  }
  return {
    runner: new PortableRunner({ jobEndpoint, environmentType: "LOOPBACK", jobName: flags.job_name || "" }),
    description: `PortableRunner LOOPBACK at ${jobEndpoint}`,
  };
}

/** Seconds from --timeout_seconds or REDWOOD_CLIENT_TIMEOUT_SECONDS, 600 by default. */
function timeoutSeconds(flags) {
  const raw = flags.timeout_seconds || process.env.REDWOOD_CLIENT_TIMEOUT_SECONDS || "600";
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`bad timeout: ${raw}`);
  }
  return value;
}

/**
 * Runs main() and exits the process with its code. The LOOPBACK worker pool is a gRPC
 * server that keeps node alive after a failed submission, so the exit must be explicit;
 * the watchdog ends a run that takes longer than the timeout with code 124 (as timeout(1)).
 */
function runMain(main, flags) {
  const seconds = timeoutSeconds(flags);
  const watchdog = setTimeout(() => {
    console.error(`TIMEOUT: no result after ${seconds} s; giving up`);
    process.exit(124);
  }, seconds * 1000);
  main().then(
    (code) => {
      clearTimeout(watchdog);
      process.exit(code || 0);
    },
    (err) => {
      clearTimeout(watchdog);
      console.error("FAILED: " + describeError(err));
      process.exit(1);
    }
  );
}

/** A one-line description of an error, with the gRPC status code when there is one. */
function describeError(err) {
  if (err && err.code !== undefined && err.methodName) {
    // @protobuf-ts RpcError: keep the method and the gRPC code, which say what failed.
    return `${err.methodName} RPC failed: ${err.code}: ${err.message}`;
  }
  return err && err.stack ? err.stack : String(err);
}

/** Name of a final job state, e.g. "DONE". */
function stateName(state) {
  return JobState_Enum[state] || String(state);
}

module.exports = { beam, parseArgs, makeRunner, runMain, describeError, stateName };
