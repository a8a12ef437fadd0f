package dev.sluice.sandbox;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests to every pod in turn, from four threads, while a rollout runs, counting those that
 * failed (an exception or a status other than 200).
 */
final class RolloutTraffic {
  private static final int THREADS = 4;

  private final HttpClient http;
  private final List<PodRunner.RunningPod> pods;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  RolloutTraffic(HttpClient http, List<PodRunner.RunningPod> pods) {
    this.http = http;
    this.pods = pods;
  }

  void start() {
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(this::sendUntilStopped, "sandbox-traffic-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  private void sendUntilStopped() {
    int i = 0;
    while (running && i < 1_000_000) {
      String ip = pods.get(i++ % pods.size()).ip();
      try {
        int status = ShopRequests.send(http, ShopRequests.get(ip, "/during-rollout")).statusCode();
        if (status != 200) {
          failed.incrementAndGet();
        }
      } catch (Exception e) {
        failed.incrementAndGet();
      }
      sent.incrementAndGet();
    }
  }

  /** Stops sending and waits (up to 10 s a thread) for the requests in flight. */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(10_000);
    }
  }

  int sent() {
    return sent.get();
  }

  int failed() {
    return failed.get();
  }
}
