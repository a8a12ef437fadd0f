package dev.sluice.testing.kubernetes;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/** A GET answered by the mock's store directly: what is stored now, not recorded as a request. */
final class StoredReads {
  private StoredReads() {}

  static MockResponse get(Dispatcher store, RecordedRequest during, String path) {
    return store.dispatch(
        new RecordedRequest(
            during.getHttpVersion(),
            HttpMethod.GET,
            path,
            Headers.builder().build(),
            new Buffer()));
  }
}
