package dev.sluice.sidecar.reload;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the config file's content changes. Watches the file's directory rather than the
 * file, because Kubernetes updates a mounted ConfigMap by swapping a {@code ..data} symlink: the
 * file's own inode never changes. Events are settled for a short quiet period and compared by
 * content digest, so an editor's several writes do not reload (and bursts become one reload). Only
 * events naming the file, the file a symlink of that name points to in the same directory, or the
 * atomic writer's {@code ..}-names are looked at: other files in the directory (a log written next
 * to the config) cost no read of the config.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigFileWatcher.class);
  static final long QUIET_MILLIS = 150;

  private final Path file;
  private final Runnable onChange;
  private final WatchService watcher;
  private final Thread thread;
  private volatile byte @Nullable [] digest;
  private final AtomicLong checks = new AtomicLong();

  public ConfigFileWatcher(Path file, Runnable onChange) throws IOException {
    this.file = file.toAbsolutePath();
    this.onChange = onChange;
    this.digest = digest();
    this.watcher = FileSystems.getDefault().newWatchService();
    requireNonNull(this.file.getParent()) // an absolute file path has a directory
        .register(
            watcher,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(this::run, "sluice-config-watch");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        boolean relevant = relevant(key.pollEvents());
        key.reset();
        if (!relevant) {
          continue;
        }
        // Let a burst of writes (or the symlink dance) settle.
        WatchKey more;
        while ((more = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          more.pollEvents();
          more.reset();
        }
        checks.incrementAndGet();
        byte[] now = digest();
        if (now != null && !Arrays.equals(now, digest)) {
          digest = now;
          log.info("{} changed; reloading", file);
          onChange.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether any event names the file, its same-directory target, or the atomic writer's names. */
  private boolean relevant(List<WatchEvent<?>> events) {
    String name = String.valueOf(file.getFileName());
    String target = target();
    for (WatchEvent<?> event : events) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
        return true;
      }
      String changed = String.valueOf(event.context());
      if (changed.equals(name) || changed.startsWith("..") || changed.equals(target)) {
        return true;
      }
    }
    return false;
  }

  /** The name of the file a symlink config points to in the same directory; null otherwise. */
  private @Nullable String target() {
    try {
      Path real = file.toRealPath();
      Path directory = requireNonNull(file.getParent()).toRealPath();
      return directory.equals(real.getParent()) ? String.valueOf(real.getFileName()) : null;
    } catch (IOException e) {
      return null; // mid-swap: the ..-names cover it
    }
  }

  /** How many times an event made the watcher read the config (for tests). */
  long checks() {
    return checks.get();
  }

  /** The file's content digest; null while it cannot be read (mid-swap). */
  private byte @Nullable [] digest() {
    try {
      return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
    thread.interrupt();
  }
}
