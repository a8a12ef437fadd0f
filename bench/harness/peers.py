"""The peers and what they forward to, each started with an equivalent configuration.

Upstreams (core 1): nginx serving HTTP/1.1, nghttpd serving h2c and h2 over TLS (uploads echoed),
the example IP reputation agent (SPOE). Proxies (core 0, one worker thread each): Sluice's
sidecar and HAProxy 2.6 (master-worker, so it can reload). "direct" is the client talking to the
upstream itself: the physical limit of this machine.
"""

import os
import subprocess
import time
import urllib.request

from . import tools

# Upstreams.
NGINX, H2C, H2_TLS, AGENT = 23084, 23081, 23083, 23345
# Per proxy: HTTP/1.1 -> nginx; h1 or h2c -> nghttpd h2c; h1 with one offload message -> nginx;
# h2 over TLS -> nghttpd over TLS.
PORTS = {
    "Sluice": {"h1": 23080, "h2c": 23085, "offload": 23082, "tls": 23443, "admin": 23090},
    "HAProxy 2.6": {"h1": 23180, "h2c": 23185, "offload": 23182, "tls": 23543},
    "direct": {"h1": NGINX, "h2c": H2C, "tls": H2_TLS},
}
PEERS = ("Sluice", "HAProxy 2.6", "direct")
PROXIES = ("Sluice", "HAProxy 2.6")

# The sidecar sized as a sidecar: a 64 MiB heap, then the image's flags from the one file the
# image, the standalone launcher and the bench share, and the class archive of a training run built
# by this machine's JVM (tools.need_archive), as the image builds its own.
SIDECAR_JVM = ["-Xmx64m", f"@{tools.SIDECAR_OPTIONS}", f"-XX:SharedArchiveFile={tools.SIDECAR_ARCHIVE}"]


# What the image's ENV sets for the JVM (SidecarJvm.MALLOC): at most two malloc arenas.
SIDECAR_ENV = {"MALLOC_ARENA_MAX": "2"}


def sidecar_flags():
    """The sidecar's JVM flags as a list, the options file's lines in place of its @ (for reports)."""
    return ["-Xmx64m", *tools.sidecar_options(), f"-XX:SharedArchiveFile={tools.SIDECAR_ARCHIVE}"]


def prepare(work):
    """Docroot, TLS material and every configuration file; returns the paths the peers need."""
    work.mkdir(parents=True, exist_ok=True)
    docroot = work / "docroot"
    docroot.mkdir(exist_ok=True)
    (docroot / "small").write_bytes(os.urandom(100))
    (docroot / "16k").write_bytes(os.urandom(16 * 1024))
    key, crt = work / "tls.key", work / "tls.crt"
    if not crt.exists():
        tools.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                   "-nodes", "-keyout", key, "-out", crt, "-days", "30", "-subj", "/CN=localhost",
                   "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
    (work / "tls.pem").write_text(crt.read_text() + key.read_text())
    (work / "nginx.conf").write_text(f"""# HTTP/1.1 upstream: one worker, keep-alive without a request limit.
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 30000; }}
http {{
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{
        listen 127.0.0.1:{NGINX} backlog=4096;
        root {docroot};
    }}
}}
""")
    for rev, timeout in (("a", "60s"), ("b", "59s")):
        (work / f"sidecar-{rev}.yaml").write_text(sidecar_config(timeout, work))
    (work / "spoe.cfg").write_text("""[iprep]
spoe-agent iprep-agent
    messages check-client-ip
    option var-prefix iprep
    option set-on-error error
    timeout hello 2s
    timeout idle 30s
    timeout processing 2s
    use-backend agents
spoe-message check-client-ip
    args ip=src
    event on-frontend-http-request
""")
    (work / "haproxy.cfg").write_text(haproxy_config(PORTS["HAProxy 2.6"], work))
    return docroot


def haproxy_config(p, work):
    """HAProxy's configuration for the listeners in p: h1 and h2c always; offload and tls when p has
    them (the footprint workload runs HAProxy with the first two only)."""
    offload = f"""frontend offload
    bind 127.0.0.1:{p['offload']}
    filter spoe engine iprep config {work / 'spoe.cfg'}
    http-request set-header X-IP-Score %[var(txn.iprep.ip_score)]
    default_backend nginx
""" if "offload" in p else ""
    tls = f"""frontend tls
    bind 127.0.0.1:{p['tls']} ssl crt {work / 'tls.pem'} alpn h2,http/1.1
    default_backend h2tls
""" if "tls" in p else ""
    return f"""# HAProxy 2.6 doing what the sidecar does: one thread; HTTP/1.1 and h2c (preface detection)
# downstream; h2 over TLS with ALPN; HTTP/1.1, h2c and h2-over-TLS upstreams with connection reuse;
# one SPOE message per request on the offload frontend; the sidecar's timeouts.
global
    nbthread 1
    # As many as the open-files limit allows: HAProxy reserves two descriptors per connection.
    maxconn {max_connections()}
    tune.ssl.default-dh-param 2048
defaults
    mode http
    timeout connect 5s
    timeout client 300s
    timeout server 60s
    timeout http-keep-alive 300s
    option http-keep-alive
frontend h1
    bind 127.0.0.1:{p['h1']}
    default_backend nginx
frontend h2c
    bind 127.0.0.1:{p['h2c']}
    default_backend h2c
{offload}{tls}backend nginx
    http-reuse always
    server s 127.0.0.1:{NGINX}
backend h2c
    http-reuse always
    server s 127.0.0.1:{H2C} proto h2
backend h2tls
    http-reuse always
    server s 127.0.0.1:{H2_TLS} ssl verify none alpn h2
backend agents
    mode tcp
    server a1 127.0.0.1:{AGENT}
"""


def max_connections():
    """HAProxy's maxconn under this machine's open-files hard limit (2 descriptors each + 28)."""
    import resource
    return min(40_000, (resource.getrlimit(resource.RLIMIT_NOFILE)[1] - 28) // 2)


def sidecar_config(request_timeout, work):
    p = PORTS["Sluice"]
    return f"""version: 1
admin: {{address: 127.0.0.1:{p['admin']}}}
listeners:
  - {{name: h1, address: 127.0.0.1:{p['h1']}}}
  - {{name: h2c, address: 127.0.0.1:{p['h2c']}}}
  - {{name: offload, address: 127.0.0.1:{p['offload']}}}
  - name: tls
    address: 127.0.0.1:{p['tls']}
    protocol: HTTPS
    tls: {{certificateFile: {work / 'tls.crt'}, privateKeyFile: {work / 'tls.key'}}}
rules:
  - name: h1
    listener: h1
    upstream: {{protocol: http1, endpoints: [127.0.0.1:{NGINX}]}}
    timeouts: {{request: {request_timeout}}}
    zeroCopy: true
  - name: h2c
    listener: h2c
    upstream: {{protocol: h2c, endpoints: [127.0.0.1:{H2C}]}}
    timeouts: {{request: {request_timeout}}}
    zeroCopy: true
  - name: offload
    listener: offload
    upstream: {{protocol: http1, endpoints: [127.0.0.1:{NGINX}]}}
    timeouts: {{request: {request_timeout}}}
    offload: [{{agent: iprep}}]
    actions:
      - setRequestHeader: {{name: X-IP-Score, fromVariable: txn.iprep.ip_score}}
  - name: tls
    listener: tls
    upstream:
      protocol: h2
      endpoints: [127.0.0.1:{H2_TLS}]
      tls: {{serverName: localhost, insecureSkipVerify: true}}  # as HAProxy's "verify none"
    timeouts: {{request: {request_timeout}}}
    zeroCopy: true
agents:
  - name: iprep
    endpoints: [127.0.0.1:{AGENT}]
    maxConnections: 8
    timeouts: {{processing: 2s}}
    messages: [{{name: check-client-ip, args: [{{name: ip, value: src}}]}}]
    variables: {{prefix: iprep, onError: error}}
"""


class Stack:
    """Every process of a run: upstreams and agent on core 1, proxies on core 0."""

    def __init__(self, work):
        self.work = work
        self.procs = []
        self.haproxy_master = None

    def start(self, docroot):
        w = self.work
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self._spawn(tools.pinned(tools.LOAD_CPU, ["nginx", "-c", w / "nginx.conf", "-g", "daemon off;"]),
                    NGINX, **quiet)
        self._spawn(tools.pinned(tools.LOAD_CPU, ["nghttpd", "--no-tls", "--echo-upload", "-d", docroot,
                                                  "-a", "127.0.0.1", H2C]), H2C, **quiet)
        self._spawn(tools.pinned(tools.LOAD_CPU, ["nghttpd", "--echo-upload", "-d", docroot, "-a",
                                                  "127.0.0.1", H2_TLS, w / "tls.key", w / "tls.crt"]),
                    H2_TLS, **quiet)
        self._spawn(tools.pinned(tools.LOAD_CPU, ["java", "-Xmx128m", "-jar", tools.AGENT_JAR, "--listen",
                                                  f"127.0.0.1:{AGENT}"]), AGENT, **quiet)
        self.haproxy_master = self._spawn(
            tools.pinned(tools.PROXY_CPU, ["haproxy", "-W", "-f", w / "haproxy.cfg"]),
            PORTS["HAProxy 2.6"]["h1"], stdout=subprocess.DEVNULL, stderr=open(w / "haproxy.log", "w"))
        self._spawn(tools.pinned(tools.PROXY_CPU, ["java", *SIDECAR_JVM, "-jar", tools.SIDECAR_JAR,
                                                   "--threads", "1",
                                                   "--config", w / "sidecar-a.yaml"]),
                    PORTS["Sluice"]["h1"], stdout=subprocess.DEVNULL, stderr=open(w / "sidecar.log", "w"),
                    env={**os.environ, **SIDECAR_ENV})
        for peer in PROXIES:
            for port in PORTS[peer].values():
                tools.wait_port(port, None)

    def _spawn(self, cmd, port, **kw):
        proc = subprocess.Popen(cmd, **kw)
        self.procs.append(proc)
        tools.wait_port(port, proc)
        return proc

    def pid(self, peer):
        return tools.listener_pid(PORTS[peer]["h1"])

    def reload(self, peer, config):
        """One hitless reload: Sluice takes the other config over POST /reload; HAProxy's master
        gets SIGUSR2 (new worker, the old one finishes its connections)."""
        if peer == "Sluice":
            body = (self.work / f"sidecar-{config}.yaml").read_bytes()
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORTS['Sluice']['admin']}/reload", data=body, method="POST",
                headers={"Content-Type": "application/yaml"})
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        else:
            os.kill(self.haproxy_master.pid, 10 + 2)  # SIGUSR2
            time.sleep(0.05)

    def stop(self):
        tools.stop(self.procs)
