package dev.sluice.operator.certs;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The operator's own PKI for its webhook and config service: a CA, serving certificates it signs
 * for the Service's DNS names, PEM in and out (for the Secret and the webhook's caBundle), and the
 * rotation rule. ECDSA P-256, SHA-256.
 */
public final class Certificates {
  /** A certificate with its key, as PEM. */
  public record Pair(String certificatePem, String privateKeyPem) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private Certificates() {}

  /** A self-signed CA valid from {@code now} for {@code validity}. */
  public static Pair authority(String commonName, Instant now, Duration validity) {
    try {
      KeyPair keys = keyPair();
      X500Name name = new X500Name("CN=" + commonName);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(validity)),
                  name,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(keys.getPublic()));
      return new Pair(pem(sign(builder, keys.getPrivate())), pem(keys.getPrivate()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot create the CA: " + e.getMessage(), e);
    }
  }

  /** A serving certificate for {@code dnsNames}, signed by {@code ca}. */
  public static Pair serving(Pair ca, List<String> dnsNames, Instant now, Duration validity) {
    try {
      X509Certificate caCert = certificate(ca.certificatePem());
      PrivateKey caKey = privateKey(ca.privateKeyPem());
      KeyPair keys = keyPair();
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      GeneralName[] names =
          dnsNames.stream()
              .map(n -> new GeneralName(GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  caCert,
                  serial(),
                  Date.from(now.minusSeconds(60)),
                  Date.from(now.plus(validity)),
                  new X500Name("CN=" + dnsNames.get(0)),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(caCert));
      return new Pair(pem(sign(builder, caKey)), pem(keys.getPrivate()));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot issue the serving certificate: " + e.getMessage(), e);
    }
  }

  /**
   * True when {@code certificatePem} should be replaced at {@code now}: unreadable, not yet valid,
   * or with less than a third of its lifetime left (so a weekly check never lets it expire).
   */
  public static boolean needsRotation(String certificatePem, Instant now) {
    try {
      X509Certificate cert = certificate(certificatePem);
      Instant from = cert.getNotBefore().toInstant();
      Instant until = cert.getNotAfter().toInstant();
      Duration life = Duration.between(from, until);
      return now.isBefore(from) || Duration.between(now, until).compareTo(life.dividedBy(3)) < 0;
    } catch (RuntimeException e) {
      return true;
    }
  }

  /** A server SSLContext from a certificate (chain) and key in PEM. */
  public static SSLContext serverContext(Pair serving) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new javax.net.ssl.KeyManager[] {keyManager(serving)}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the serving TLS context: " + e.getMessage(), e);
    }
  }

  /** A key manager presenting {@code serving}. */
  static javax.net.ssl.X509ExtendedKeyManager keyManager(Pair serving) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = new char[0];
      keys.setKeyEntry(
          "serving",
          privateKey(serving.privateKeyPem()),
          password,
          new Certificate[] {certificate(serving.certificatePem())});
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password);
      return (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot load the serving certificate: " + e.getMessage(), e);
    }
  }

  /** True when {@code certificatePem} carries a valid signature of the CA in {@code caPem}. */
  public static boolean signedBy(String certificatePem, String caPem) {
    try {
      certificate(certificatePem).verify(certificate(caPem).getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Every certificate of a PEM bundle, in order. */
  public static List<X509Certificate> bundle(String pem) {
    List<X509Certificate> out = new java.util.ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM bundle: " + e.getMessage(), e);
    }
    return out;
  }

  /** A client SSLContext trusting exactly the CAs in the PEM bundle {@code caPem}. */
  public static SSLContext trusting(String caPem) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : bundle(caPem)) {
        trust.setCertificateEntry("ca-" + i++, ca);
      }
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(
              javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(
          "cannot build a TLS context trusting the CA: " + e.getMessage(), e);
    }
  }

  /** Parses one PEM certificate. */
  public static X509Certificate certificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (!(object instanceof X509CertificateHolder holder)) {
        throw new IllegalArgumentException("not a PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
    }
  }

  static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IOException("not a PEM private key");
    }
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /**
   * PEM of a certificate, or of a private key as PKCS#8 ("PRIVATE KEY", what Go and Netty read).
   */
  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (object instanceof PrivateKey key) {
        writer.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null));
      } else {
        writer.writeObject(object);
      }
    }
    return out.toString();
  }
}
