package dev.sluice.operator;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.sluice.operator.configservice.ConfigService;
import dev.sluice.operator.inject.WebhookServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's three listeners, bound before it touches the cluster: a port that is taken fails
 * the start at once, naming the listener, its flag and its address, and no Secret, webhook patch or
 * Lease has been written by then. The servers are bound, not started; each part starts its own.
 */
final class BoundListeners implements AutoCloseable {
  private final HttpsServer configService;
  private final HttpsServer webhook;
  private final HttpServer admin;

  private BoundListeners(HttpsServer configService, HttpsServer webhook, HttpServer admin) {
    this.configService = configService;
    this.webhook = webhook;
    this.admin = admin;
  }

  /** Binds all three or none: on a failure the ones already bound are closed again. */
  static BoundListeners bind(OperatorSettings settings) throws ListenerBindException {
    List<HttpServer> bound = new ArrayList<>();
    try {
      HttpsServer configService =
          add(
              bound,
              https(
                  "config service",
                  "--config-service-port",
                  settings.configService(),
                  ConfigService.BACKLOG));
      HttpsServer webhook =
          add(
              bound,
              https(
                  "injection webhook",
                  "--webhook-port",
                  settings.webhook(),
                  WebhookServer.BACKLOG));
      HttpServer admin = add(bound, http(settings.admin()));
      return new BoundListeners(configService, webhook, admin);
    } catch (ListenerBindException e) {
      bound.forEach(s -> s.stop(0));
      throw e;
    }
  }

  private static <T extends HttpServer> T add(List<HttpServer> bound, T server) {
    bound.add(server);
    return server;
  }

  private static HttpsServer https(
      String listener, String flag, InetSocketAddress address, int backlog)
      throws ListenerBindException {
    try {
      return HttpsServer.create(address, backlog);
    } catch (IOException e) {
      throw new ListenerBindException(listener, flag, describe(address), e);
    }
  }

  private static HttpServer http(InetSocketAddress address) throws ListenerBindException {
    try {
      return HttpServer.create(address, AdminServer.BACKLOG);
    } catch (IOException e) {
      throw new ListenerBindException("admin endpoint", "--admin-port", describe(address), e);
    }
  }

  /** {@code 0.0.0.0:8080}-style, the wildcard address as {@code *}. */
  static String describe(InetSocketAddress address) {
    String host =
        address.getAddress() == null || address.getAddress().isAnyLocalAddress()
            ? "*"
            : address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  HttpsServer configService() {
    return configService;
  }

  HttpsServer webhook() {
    return webhook;
  }

  HttpServer admin() {
    return admin;
  }

  /** Closes the sockets (a started server's own close stops it too; stopping twice is harmless). */
  @Override
  public void close() {
    configService.stop(0);
    webhook.stop(0);
    admin.stop(0);
  }
}
