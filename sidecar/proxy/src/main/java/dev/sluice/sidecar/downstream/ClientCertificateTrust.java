package dev.sluice.sidecar.downstream;

import dev.sluice.sidecar.config.ClientValidation;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Verifies client certificate chains against a listener's CA (PKIX, as the JDK does). Under {@code
 * AllowValidOnly} it is the handshake's trust manager and refuses an invalid chain there, with the
 * reason ({@link Rejected}); under {@code AllowInsecureFallback} the handshake takes any chain and
 * the connection asks {@link #verify} once it is done.
 */
final class ClientCertificateTrust extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager ca;
  private final boolean enforcing;

  private ClientCertificateTrust(X509ExtendedTrustManager ca, boolean enforcing) {
    this.ca = ca;
    this.enforcing = enforcing;
  }

  /** A chain refused during the handshake, and why. */
  static final class Rejected extends CertificateException {
    private static final long serialVersionUID = 1L;
    private final transient ClientCertificateOutcome outcome;

    Rejected(ClientCertificateOutcome outcome, CertificateException cause) {
      super(outcome.sentence() + ": " + cause.getMessage(), cause);
      this.outcome = outcome;
    }

    ClientCertificateOutcome outcome() {
      return outcome;
    }
  }

  /**
   * The trust of {@code validation}'s CA.
   *
   * @throws IllegalArgumentException naming {@code path}'s field when the CA cannot be read
   */
  static ClientCertificateTrust of(String path, ClientValidation validation) {
    String field = validation.caFile() != null ? path + ".caFile" : path + ".caPem";
    try (InputStream in = open(validation)) {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("no certificate in it");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return new ClientCertificateTrust(
              x509, validation.mode() == ClientValidation.Mode.ALLOW_VALID_ONLY);
        }
      }
      throw new IllegalStateException("the JDK's PKIX trust manager factory made no X.509 one");
    } catch (Exception e) {
      throw new IllegalArgumentException(
          field
              + ": "
              + (validation.caFile() != null ? validation.caFile() : "<inline>")
              + " cannot be loaded (expected: PEM CA certificates): "
              + e.getMessage(),
          e);
    }
  }

  private static InputStream open(ClientValidation validation) throws java.io.IOException {
    String file = validation.caFile();
    if (file != null) {
      return Files.newInputStream(Path.of(file));
    }
    String pem = validation.caPem();
    return new ByteArrayInputStream(
        (pem == null ? "" : pem).getBytes(StandardCharsets.US_ASCII)); // validated: one of two
  }

  /** Whether the handshake itself refuses an invalid chain ({@code AllowValidOnly}). */
  boolean enforcing() {
    return enforcing;
  }

  /**
   * What {@code chain} comes to against the CA: {@link ClientCertificateOutcome#VERIFIED} or why
   * not.
   */
  ClientCertificateOutcome verify(X509Certificate[] chain) {
    if (chain.length == 0) {
      return ClientCertificateOutcome.NO_CERTIFICATE;
    }
    try {
      ca.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
      return ClientCertificateOutcome.VERIFIED;
    } catch (CertificateException e) {
      return why(e);
    }
  }

  /** Expired (or not yet valid) anywhere in its cause chain, else untrusted. */
  private static ClientCertificateOutcome why(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException
          || (t instanceof CertPathValidatorException path
              && (path.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                  || path.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID))) {
        return ClientCertificateOutcome.EXPIRED;
      }
    }
    return ClientCertificateOutcome.UNTRUSTED;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    if (!enforcing) {
      return; // AllowInsecureFallback: the connection verifies once the handshake is done
    }
    if (chain.length == 0) {
      throw new Rejected(
          ClientCertificateOutcome.NO_CERTIFICATE, new CertificateException("empty chain"));
    }
    try {
      ca.checkClientTrusted(chain, chain[0].getPublicKey().getAlgorithm());
    } catch (CertificateException e) {
      throw new Rejected(why(e), e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(
      X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a listener's client trust verifies clients only");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(
      X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  /** The CA certificates: their names go to the client in the CertificateRequest. */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca.getAcceptedIssuers();
  }
}
