"""Processes, ports, CPU pinning, resident memory; installing and building what the bench needs."""

import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
SIDECAR_JAR = ROOT / "sidecar" / "proxy" / "target" / "sluice-sidecar.jar"
AGENT_JAR = ROOT / "examples" / "ip-reputation-agent" / "target" / "ip-reputation-agent.jar"
OPERATOR_JAR = ROOT / "operator" / "target" / "sluice-operator.jar"
TOOLS_JAR = ROOT / "bench" / "tools" / "target" / "sluice-bench-tools.jar"
JMH_JAR = ROOT / "bench" / "jmh" / "target" / "benchmarks.jar"
# The sidecar's JVM flags (but the maximum heap), shared with the image and the standalone launcher.
SIDECAR_OPTIONS = ROOT / "sidecar" / "proxy" / "src" / "main" / "resources" / "dev" / "sluice" / "sidecar" / "jvm.options"
# Its class archive, built by a training run of the jar (need_archive), as the image builds its own.
SIDECAR_ARCHIVE = WORK / "sluice-sidecar.jsa"

# The proxy under test gets core 0 to itself; load generators, upstreams and agents share core 1.
PROXY_CPU, LOAD_CPU = "0", "1"

# Debian packages of the peers and load generators, by the command they install.
PACKAGES = {"haproxy": "haproxy", "nghttpd": "nghttp2-server", "h2load": "nghttp2-client",
            "wrk": "wrk", "curl": "curl", "nginx": "nginx", "openssl": "openssl",
            "taskset": "util-linux", "ss": "iproute2"}


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    """Runs cmd, returns its stdout; a failure names the command and what it printed."""
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited with {done.returncode}: "
                           f"{(done.stderr or done.stdout)[-2000:]}")
    return done.stdout


def pinned(cpu, cmd):
    return ["taskset", "-c", cpu, *map(str, cmd)]


def need_tools():
    """Installs the Debian packages of missing tools (as root; otherwise says what to install)."""
    missing = sorted({pkg for tool, pkg in PACKAGES.items() if shutil.which(tool) is None})
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"bench: install {' '.join(missing)} first (apt-get install -y ...)")
    log(f"installing {' '.join(missing)}")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    # Debian starts nginx and haproxy as services on install: the bench runs its own.
    subprocess.run(["sh", "-c", "systemctl stop nginx haproxy 2>/dev/null; pkill -x nginx; true"])


def need_jvm_flags(flags):
    """Exits naming the flag when this JVM refuses one of the sidecar's: a benchmark without it
    would measure a differently tuned sidecar than the image runs."""
    probe = subprocess.run(["java", *flags, "-version"], capture_output=True, text=True)
    if probe.returncode != 0:
        refused = [line for line in probe.stderr.splitlines() if "Unrecognized" in line or "Error" in line]
        reason = refused[0] if refused else probe.stderr.strip()
        hint = " (it needs JDK 17.0.9 or newer)" if "TrimNativeHeapInterval" in reason else ""
        sys.exit(f"bench: this JVM refuses the sidecar's flags {' '.join(flags)}: {reason}{hint}")


def sidecar_options():
    """The lines of the sidecar's JVM options file, comments and blank lines left out."""
    return [line.strip() for line in SIDECAR_OPTIONS.read_text().splitlines()
            if line.strip() and not line.strip().startswith("#")]


def need_archive():
    """Builds the sidecar's class archive from a training run of the jar when it is missing or older
    than the jar or the options (a stale archive is refused by the JVM, which then runs without)."""
    if SIDECAR_ARCHIVE.exists() and SIDECAR_ARCHIVE.stat().st_mtime > max(
            SIDECAR_JAR.stat().st_mtime, SIDECAR_OPTIONS.stat().st_mtime):
        return
    log("building the sidecar's class archive (java -XX:ArchiveClassesAtExit ... --training-run)")
    WORK.mkdir(parents=True, exist_ok=True)
    SIDECAR_ARCHIVE.unlink(missing_ok=True)
    run(["java", "-Xmx64m", f"@{SIDECAR_OPTIONS}", f"-XX:ArchiveClassesAtExit={SIDECAR_ARCHIVE}",
         "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", SIDECAR_JAR, "--training-run"])
    if not SIDECAR_ARCHIVE.exists():
        raise RuntimeError(f"the training run left no {SIDECAR_ARCHIVE}")


def raise_fd_limit(wanted=100_000):
    """10,000 idle connections need more descriptors than the usual 20,000 (a proxy holds two per
    proxied connection); children inherit the limit. Root may raise the hard limit."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), max(hard, wanted)))
    except (ValueError, OSError):  # not allowed to raise the hard limit: take all of it
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def newest_source():
    """The newest modification time of the build's inputs: every pom.xml and file under a src/."""
    newest = 0.0
    for top, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in ("target", ".git", "work", "node_modules", "results")]
        inside_src = "/src/" in top + "/" or top.endswith("/src")
        for name in files:
            if inside_src or name == "pom.xml":
                newest = max(newest, os.path.getmtime(os.path.join(top, name)))
    return newest


def need_jars(rebuild):
    """Builds the jars when asked, when one is missing, or when one is older than its sources (a
    benchmark of stale code would report figures for a commit it does not say)."""
    jars = (SIDECAR_JAR, AGENT_JAR, OPERATOR_JAR, TOOLS_JAR, JMH_JAR)
    stale = all(j.exists() for j in jars) and min(j.stat().st_mtime for j in jars) < newest_source()
    if stale:
        log("a jar is older than the sources: rebuilding")
    if rebuild or stale or not all(j.exists() for j in jars):
        # clean: an incremental build does not recompile a module whose sources did not change when
        # a module it depends on did, so a benchmark class could call a method that is gone
        log("building (./mvnw -B -q clean install -DskipTests)")
        subprocess.run([str(ROOT / "mvnw"), "-B", "-q", "clean", "install", "-DskipTests"], check=True,
                       cwd=ROOT)


def wait_port(port, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"bench: {' '.join(map(str, proc.args))} exited with {proc.returncode} "
                     f"before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    sys.exit(f"bench: nothing listening on 127.0.0.1:{port} after {seconds}s")


def listener_pid(port):
    """The process listening on port (for HAProxy: the current worker)."""
    out = run(["ss", "-ltnpH", f"sport = :{port}"])
    pids = re.findall(r"pid=(\d+)", out)
    if not pids:
        raise RuntimeError(f"nothing listens on port {port}")
    return int(pids[-1])


class CpuUse:
    """Over a with-block: the CPU time one process used (all its threads, user and system) and how
    busy one core was. A proxy's CPU per request is its cost whether or not it limited the rate; the
    load core's share says whether the load generators and upstreams did."""

    def __init__(self, pid, core):
        self.pid, self.core = pid, core
        self.seconds, self.busy = None, None

    def __enter__(self):
        self._cpu0, self._core0 = self._process(), self._core()
        return self

    def __exit__(self, *exc):
        core = [b - a for a, b in zip(self._core0, self._core())]
        idle = core[3] + core[4]  # idle, iowait
        self.busy = 1 - idle / sum(core) if sum(core) else None
        if self.pid:
            self.seconds = self._process() - self._cpu0

    def micros_per(self, requests):
        return self.seconds * 1e6 / requests if self.seconds is not None and requests else None

    def _process(self):
        return cpu_seconds(self.pid) if self.pid else 0.0

    def _core(self):
        for line in pathlib.Path("/proc/stat").read_text().splitlines():
            if line.startswith(f"cpu{self.core} "):
                return [int(x) for x in line.split()[1:]]
        raise RuntimeError(f"no cpu{self.core} in /proc/stat")


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def footprint_kib(pid):
    """RSS, PSS and USS (private clean + dirty) of a process, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0])
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def cpu_seconds(pid):
    """User plus system time a process used so far (all its threads)."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()


def versions():
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    def first(cmd):
        done = subprocess.run(cmd, capture_output=True, text=True)
        return (done.stdout or done.stderr).strip().splitlines()[0]
    return {"haproxy": first(["haproxy", "-v"]), "nghttpd": first(["nghttpd", "--version"]),
            "h2load": first(["h2load", "--version"]), "wrk": first(["wrk", "--version"]),
            "curl": first(["curl", "--version"]), "nginx": first(["nginx", "-v"]), "java": java}


def machine():
    import platform
    model = ""
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = pathlib.Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {"cpu": model, "cores": os.cpu_count(), "memory GiB": round(int(mem) / 1048576, 1),
            "kernel": platform.release(), "os": platform.platform()}
