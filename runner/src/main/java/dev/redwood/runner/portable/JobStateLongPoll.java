package dev.redwood.runner.portable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.runners.jobsubmission.JobInvocation;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.BindableService;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ForwardingServerCallListener;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Metadata;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Server;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerCall;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerCallHandler;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerInterceptor;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerInterceptors;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ServerServiceDefinition;

/**
 * Makes the Job API's GetState a short long-poll: for a job still running it answers once the job
 * ends or after {@link #MAX_WAIT_MILLIS}, whichever is first. Clients that poll (Beam's Java client
 * sleeps 3 s between polls) then see a finished job at once instead of at their next poll; a short
 * job's turnaround is its run time, not the client's poll interval.
 */
final class JobStateLongPoll extends ServerFactory {
  static final long MAX_WAIT_MILLIS = 2_000;

  private final ServerFactory delegate;
  private final Map<String, CountDownLatch> ended = new ConcurrentHashMap<>();

  JobStateLongPoll(ServerFactory delegate) {
    this.delegate = delegate;
  }

  /** Tracks {@code invocation} until it reaches a terminal state. */
  void track(JobInvocation invocation) {
    CountDownLatch latch = ended.computeIfAbsent(invocation.getId(), id -> new CountDownLatch(1));
    invocation.addStateListener(
        event -> {
          if (JobInvocation.isTerminated(event.getState())) {
            latch.countDown();
            ended.remove(invocation.getId(), latch);
          }
        });
  }

  @Override
  public Server allocateAddressAndCreate(
      List<BindableService> services, Endpoints.ApiServiceDescriptor.Builder descriptor)
      throws IOException {
    return delegate.allocateAddressAndCreate(intercepted(services), descriptor);
  }

  @Override
  public Server create(List<BindableService> services, Endpoints.ApiServiceDescriptor descriptor)
      throws IOException {
    return delegate.create(intercepted(services), descriptor);
  }

  private List<BindableService> intercepted(List<BindableService> services) {
    List<BindableService> wrapped = new ArrayList<>();
    for (BindableService service : services) {
      ServerServiceDefinition definition = ServerInterceptors.intercept(service, new WaitForEnd());
      wrapped.add(() -> definition);
    }
    return wrapped;
  }

  /** Holds a GetState request of a running job until it ends, for at most the bound. */
  private final class WaitForEnd implements ServerInterceptor {
    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
      if (!call.getMethodDescriptor()
          .getFullMethodName()
          .equals(JobServiceGrpc.getGetStateMethod().getFullMethodName())) {
        return listener;
      }
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onMessage(ReqT message) {
          CountDownLatch latch = ended.get(((JobApi.GetJobStateRequest) message).getJobId());
          if (latch != null) {
            try {
              latch.await(MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          super.onMessage(message);
        }
      };
    }
  }
}
