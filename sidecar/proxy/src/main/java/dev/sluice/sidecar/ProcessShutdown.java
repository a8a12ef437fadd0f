package dev.sluice.sidecar;

import dev.sluice.sidecar.reload.ConfigFileWatcher;
import dev.sluice.sidecar.reload.ConfigServiceClient;
import dev.sluice.sidecar.reload.EndpointsClient;
import dev.sluice.sidecar.reload.Signals;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The one stop of a serving sidecar, however the process is told to end: on SIGTERM or SIGINT, when
 * the launcher that started this JVM goes away, or from a shutdown hook when the JVM exits any
 * other way. Stops following config and endpoints, drains for the running config's drain timeout,
 * closes, then lets {@link #await} return. Runs once, whichever comes first.
 */
final class ProcessShutdown {
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Sidecar sidecar;
  private final @Nullable ConfigServiceClient service;
  private final @Nullable ConfigFileWatcher watcher;
  private final @Nullable EndpointsClient endpoints;

  ProcessShutdown(
      Sidecar sidecar,
      @Nullable ConfigServiceClient service,
      @Nullable ConfigFileWatcher watcher,
      @Nullable EndpointsClient endpoints) {
    this.sidecar = sidecar;
    this.service = service;
    this.watcher = watcher;
    this.endpoints = endpoints;
  }

  /** Arms the stop: the shutdown hook, the signals and the launcher's exit. */
  void install() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "sluice-shutdown"));
    Signals.onTerminate(this::stop);
    String launcher = System.getProperty(SidecarJvm.LAUNCHER_PID);
    if (launcher != null) {
      ProcessHandle.of(Long.parseLong(launcher))
          .ifPresentOrElse(
              parent -> {
                CompletableFuture<Void> unused = parent.onExit().thenRun(this::stop);
              },
              this::stop);
    }
  }

  /** Waits until the sidecar has stopped. */
  void await() throws InterruptedException {
    stopped.await();
  }

  private void stop() {
    if (!stopping.compareAndSet(false, true)) {
      return;
    }
    if (service != null) {
      service.close();
    }
    if (endpoints != null) {
      endpoints.close();
    }
    try {
      if (watcher != null) {
        watcher.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    var running = sidecar.generation();
    sidecar.shutdown(running == null ? Duration.ZERO : running.config().drainTimeout());
    sidecar.close();
    stopped.countDown();
  }
}
