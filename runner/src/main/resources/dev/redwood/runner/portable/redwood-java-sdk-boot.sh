#!/bin/sh
# Redwood's PROCESS-environment command for Java SDK pipelines. A worker node runs it with
# --id=... --provision_endpoint=...; it runs dev.redwood.runner.portable.JavaSdkBoot, which fetches
# the job's artifacts and starts the SDK harness. The node sets REDWOOD_JAVA and
# REDWOOD_WORKER_CLASSPATH (its own java and classpath, which hold the boot and the harness).
# exec: the node stops the environment by signalling this process, which must be the JVM itself.
if [ -z "$REDWOOD_WORKER_CLASSPATH" ]; then
  echo "redwood-java-sdk-boot: REDWOOD_WORKER_CLASSPATH is not set (run by a Redwood node?)" >&2
  exit 2
fi
exec "${REDWOOD_JAVA:-java}" -Xmx256m -cp "$REDWOOD_WORKER_CLASSPATH" dev.redwood.runner.portable.JavaSdkBoot "$@"
