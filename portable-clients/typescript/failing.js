#!/usr/bin/env node
// A pipeline whose map function throws, used to check that a job's failure and its
// message reach a non-Java client over the Job API of the Redwood job server.
//
//   node failing.js [--job_endpoint=localhost:PORT | --direct] [--timeout_seconds=N]
//
// It submits the job, reads the job's message stream (GetMessageStream) while waiting for
// the final state, prints every message and state it gets, and exits 1 when the job
// failed (the expected outcome), 3 if the job unexpectedly succeeded. The LOOPBACK worker
// runs in this process and logs the exception itself, so the line
// "probe message via Job API: yes|no" says whether the text came back through the job
// server rather than from the local worker's log.
"use strict";

const { beam, parseArgs, makeRunner, runMain, describeError, stateName } = require("./common");
const { JobMessage_MessageImportance } = require("apache-beam/proto/beam_job_api");

const PROBE = "redwood portable failure probe";

function failingPipeline() {
  const explode = (x) => {
    throw new Error("redwood portable failure probe");
  };
  const pipeline = (root) => {
    root.apply(beam.create(["a", "b", "c"])).map(explode);
  };
  pipeline.__closure = () => ({ beam, explode });
  return pipeline;
}

/** Collects the job's messages and state changes until the stream ends or fails. */
async function collectMessages(client, jobId, sink) {
  try {
    const call = client.getMessageStream({ jobId });
    for await (const response of call.responses) {
      const r = response.response;
      if (r.oneofKind === "messageResponse") {
        const m = r.messageResponse;
        const importance = JobMessage_MessageImportance[m.importance] || m.importance;
        sink.messages.push(m.messageText);
        console.log(`job message [${importance}] ${m.messageText}`);
      } else if (r.oneofKind === "stateResponse") {
        console.log(`job state event ${stateName(r.stateResponse.state)}`);
      }
    }
  } catch (err) {
    sink.streamError = describeError(err);
    console.log(`GetMessageStream ended with an error: ${sink.streamError}`);
  }
}

async function main() {
  const { flags } = parseArgs(process.argv.slice(2));
  const { runner, description } = makeRunner(flags);
  console.log(`failing: submitting to ${description}`);
  let result;
  try {
    result = await runner.runAsync(failingPipeline());
  } catch (err) {
    // The DirectRunner runs inside runAsync and throws the user's error straight away; a
    // PortableRunner throws here when the submission itself (Prepare/Run) fails.
    console.log(`failing: pipeline failed: ${describeError(err)}`);
    console.log(`probe message via Job API: no (the job did not run on a job server)`);
    return 1;
  }
  const sink = { messages: [] };
  let streamDone = Promise.resolve();
  if (result.jobId !== undefined && runner.getClient) {
    console.log(`failing: job id ${result.jobId}`);
    streamDone = collectMessages(await runner.getClient(), result.jobId, sink);
  }
  const state = await result.waitUntilFinish();
  console.log(`failing: job finished in state ${stateName(state)}`);
  // The stream should close at the terminal state; do not wait on it for long if not.
  await Promise.race([streamDone, new Promise((r) => setTimeout(r, 5000))]);
  const viaApi = sink.messages.some((m) => m.includes(PROBE));
  console.log(`probe message via Job API: ${viaApi ? "yes" : "no"}`);
  for (const m of sink.messages.filter((m) => m.includes(PROBE))) {
    console.log(`failing: error reported by the job server: ${m}`);
  }
  return stateName(state) === "DONE" ? 3 : 1;
}

if (require.main === module) {
  runMain(main, parseArgs(process.argv.slice(2)).flags);
}
