#!/usr/bin/env node
// A Job API server that executes nothing: it records what a Beam client sends (each RPC,
// and each submitted pipeline as JSON) so that we can see exactly which JobService calls,
// URNs, coders and options the TypeScript SDK uses, before the Redwood job server exists.
// Every job it accepts ends FAILED with the message "recording job server: not executed";
// --final_state=DONE reports DONE instead, only so that a test suite whose warm-up job must
// succeed goes on to submit all its pipelines (their results mean nothing then).
//
//   node tools/recording-job-server.js OUT_DIR [--port=0] [--max_seconds=600] [--final_state=FAILED|DONE]
//
// Prints "listening on 127.0.0.1:PORT"; writes OUT_DIR/calls.jsonl and
// OUT_DIR/pipeline-N.json. Listens on loopback only and stops by itself after max_seconds.
"use strict";

require("apache-beam"); // the package index must load before its proto modules
const fs = require("fs");
const path = require("path");
const grpc = require("@grpc/grpc-js");
const jobApi = require("apache-beam/proto/beam_job_api");
const runnerApi = require("apache-beam/proto/beam_runner_api");
const { Struct } = require("apache-beam/proto/google/protobuf/struct");

const NOT_EXECUTED = "recording job server: not executed";

function parseFlags(argv) {
  const flags = { port: "0", max_seconds: "600", final_state: "FAILED" };
  const positional = [];
  for (const a of argv) {
    const m = /^--([a-z_]+)=(.*)$/.exec(a);
    if (m) flags[m[1]] = m[2];
    else positional.push(a);
  }
  return { flags, positional };
}

/** A grpc-js service definition built from the SDK's protobuf-ts description of JobService. */
function jobServiceDefinition() {
  const def = {};
  for (const m of jobApi.JobService.methods) {
    def[m.localName] = {
      path: `/${jobApi.JobService.typeName}/${m.name}`,
      requestStream: !!m.clientStreaming,
      responseStream: !!m.serverStreaming,
      requestSerialize: (v) => Buffer.from(m.I.toBinary(v)),
      requestDeserialize: (b) => m.I.fromBinary(b),
      responseSerialize: (v) => Buffer.from(m.O.toBinary(v)),
      responseDeserialize: (b) => m.O.fromBinary(b),
      originalName: m.name,
    };
  }
  return def;
}

function main() {
  const { flags, positional } = parseFlags(process.argv.slice(2));
  if (positional.length !== 1) {
    console.error("usage: node tools/recording-job-server.js OUT_DIR [--port=0] [--max_seconds=600]");
    process.exit(2);
  }
  const outDir = positional[0];
  fs.mkdirSync(outDir, { recursive: true });
  const callsFile = path.join(outDir, "calls.jsonl");
  fs.writeFileSync(callsFile, "");
  const record = (method, detail) =>
    fs.appendFileSync(callsFile, JSON.stringify({ method, ...detail }) + "\n");

  let nextId = 0;
  const jobs = new Map(); // jobId -> { pipelineFile }
  const prepared = new Map(); // preparationId -> pipelineFile
  const finalState = jobApi.JobState_Enum[flags.final_state];
  if (finalState !== jobApi.JobState_Enum.FAILED && finalState !== jobApi.JobState_Enum.DONE) {
    console.error(`--final_state must be FAILED or DONE, not ${flags.final_state}`);
    process.exit(2);
  }
  const terminalState = () => ({ state: finalState, timestamp: undefined });

  const impl = {
    prepare(call, cb) {
      const id = `prep-${++nextId}`;
      const file = path.join(outDir, `pipeline-${nextId}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify(
          {
            jobName: call.request.jobName,
            pipelineOptions: call.request.pipelineOptions ? Struct.toJson(call.request.pipelineOptions) : {},
            pipeline: runnerApi.Pipeline.toJson(call.request.pipeline),
          },
          null,
          1
        )
      );
      prepared.set(id, file);
      record("Prepare", { preparationId: id, jobName: call.request.jobName, pipelineFile: path.basename(file) });
      // No artifactStagingEndpoint: the client then stages nothing.
      cb(null, { preparationId: id, stagingSessionToken: "", artifactStagingEndpoint: undefined });
    },
    run(call, cb) {
      const jobId = `job-${call.request.preparationId}`;
      jobs.set(jobId, { pipelineFile: prepared.get(call.request.preparationId) });
      record("Run", { preparationId: call.request.preparationId, retrievalToken: call.request.retrievalToken, jobId });
      cb(null, { jobId });
    },
    getState(call, cb) {
      record("GetState", { jobId: call.request.jobId });
      cb(null, terminalState());
    },
    getJobMetrics(call, cb) {
      record("GetJobMetrics", { jobId: call.request.jobId });
      cb(null, { metrics: { attempted: [], committed: [] } });
    },
    cancel(call, cb) {
      record("Cancel", { jobId: call.request.jobId });
      cb(null, { state: jobApi.JobState_Enum.CANCELLED });
    },
    getStateStream(call) {
      record("GetStateStream", { jobId: call.request.jobId });
      call.write(terminalState());
      call.end();
    },
    getMessageStream(call) {
      record("GetMessageStream", { jobId: call.request.jobId });
      call.write({
        response: {
          oneofKind: "messageResponse",
          messageResponse: {
            messageId: "1",
            time: "",
            importance: jobApi.JobMessage_MessageImportance.JOB_MESSAGE_ERROR,
            messageText: NOT_EXECUTED,
          },
        },
      });
      call.write({ response: { oneofKind: "stateResponse", stateResponse: terminalState() } });
      call.end();
    },
  };
  // Methods left out above (GetJobs, GetPipeline, DescribePipelineOptions) are recorded
  // and answered UNIMPLEMENTED, so a client that needs them shows up in calls.jsonl.
  const definition = jobServiceDefinition();
  for (const name of Object.keys(definition)) {
    if (!impl[name]) {
      impl[name] = (call, cb) => {
        record(definition[name].originalName, { unimplemented: true });
        cb({ code: grpc.status.UNIMPLEMENTED, details: `${definition[name].originalName} not implemented` });
      };
    }
  }

  const server = new grpc.Server();
  server.addService(definition, impl);
  server.bindAsync(`127.0.0.1:${flags.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`cannot listen: ${err.message}`);
      process.exit(1);
    }
    console.log(`listening on 127.0.0.1:${port}`);
  });
  const stop = () => server.tryShutdown(() => process.exit(0));
  setTimeout(stop, Number(flags.max_seconds) * 1000).unref();
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
