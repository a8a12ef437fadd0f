package dev.sluice.operator.conversion;

import dev.sluice.api.conversion.ProxyRouteConversion;

/** The one ProxyRoute conversion of the process, made on first use. */
public final class Conversions {
  private Conversions() {}

  private static final class Holder {
    static final ProxyRouteConversion STANDARD = ProxyRouteConversion.standard();
  }

  /** The conversion with the shipped CRDs' defaults; compiles their rules on the first call. */
  public static ProxyRouteConversion standard() {
    return Holder.STANDARD;
  }
}
