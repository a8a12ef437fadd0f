package dev.sluice.sidecar.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * Whether the kernel is still sending on a socket, where the transport can ask it (epoll, Linux's
 * {@code TCP_INFO}). A socket's send buffer can hold megabytes and wakes its writer only once about
 * a third of it drained, so what the proxy manages to write tells little about a slow reader; the
 * kernel sending new data, as the peer's window lets it, tells exactly.
 */
public final class TcpProgress {
  /**
   * True when the kernel sent new data on {@code channel}'s socket within the last {@code millis}
   * (the peer took some). Retransmissions after a timeout, what a peer that stopped acknowledging
   * gets, do not count. False when it did not, or when the transport cannot tell (NIO).
   */
  public static boolean sentWithin(Channel channel, long millis) {
    if (channel instanceof EpollSocketChannel epoll && epoll.isOpen()) {
      try {
        EpollTcpInfo info = epoll.tcpInfo();
        return info.retransmits() == 0 && info.lastDataSent() < millis;
      } catch (ChannelException closedMeanwhile) {
        return false;
      }
    }
    return false;
  }

  private TcpProgress() {}
}
