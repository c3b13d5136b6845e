"""Throwaway OpenSSH servers on 127.0.0.1, for the tests of `sink --host` and of the
exported script under Ansible.

    with SshHosts({"web": "web", "db": "db"}, unreachable=["gone"]) as hosts:
        env = hosts.env()        # SINK_SSH_COMMAND="ssh -F CONFIG" (and PATH, HOME)
        hosts.home("web")        # that host's HOME (sshd's SetEnv), a temporary folder

Each host is its own `sshd -D` on a free high port of 127.0.0.1, with a throwaway host key
and `SetEnv HOST_ROLE=ROLE HOME=... PATH=...` so that the hosts differ (`shells` puts
another program first in PATH as `sh`: bash as sh on one host); a session starts in that
HOME (ForceCommand cd "$HOME", then the client's command), never in the real user's. One
throwaway user key logs in as the current user. The client config names each host (`Host web`), and known_hosts
holds the real host keys: ssh checks them as it would anywhere. An unreachable host is a
port that is bound but never listens (connection refused at once). Every session process
carries a marker in its environment (SetEnv), so that stop() can end whatever a test left
behind. Loopback only: nothing listens on or connects to any other address.
"""
import getpass
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

START_TIMEOUT = 10  # seconds for an sshd to accept connections
SSHD = "/usr/sbin/sshd"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sink-test", "-f", path], check=True,
                   stdin=subprocess.DEVNULL, timeout=30)


class SshHosts:
    def __init__(self, roles, unreachable=(), shells=None):
        self.roles = dict(roles)  # alias -> HOST_ROLE
        self.shells = dict(shells or {})  # alias -> the program that `sh` is on that host
        self.unreachable = list(unreachable)
        self.dir = tempfile.mkdtemp(prefix="sink-sshd-")
        self.marker = f"sinktest{os.getpid()}x{time.monotonic_ns()}"
        self.sshds, self.ports, self.holders = {}, {}, []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def home(self, alias):
        return self.path("home-" + alias)

    @property
    def ssh_command(self):
        return f"ssh -F {self.path('ssh_config')}"

    def env(self, extra=None):
        env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": self.path("local-home"), "LANG": "C.UTF-8",
               "NO_COLOR": "1", "SINK_SSH_COMMAND": self.ssh_command}
        env.update(extra or {})
        return env

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        if not os.path.exists(SSHD):
            raise RuntimeError(f"{SSHD} is missing: install openssh-server (tools/install-deps)")
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        os.makedirs(self.path("local-home"))
        keygen(self.path("host_key"))
        keygen(self.path("user_key"))
        shutil.copy(self.path("user_key.pub"), self.path("authorized_keys"))
        with open(self.path("host_key.pub")) as f:
            host_key = " ".join(f.read().split()[:2])
        for alias in self.unreachable:
            holder = socket.socket()  # bound, never listening: connection refused
            holder.bind(("127.0.0.1", 0))
            self.holders.append(holder)
            self.ports[alias] = holder.getsockname()[1]
        for alias, role in self.roles.items():
            os.makedirs(self.home(alias))
            os.makedirs(self.path("bin-" + alias))
            if alias in self.shells:
                os.symlink(self.shells[alias], self.path("bin-" + alias, "sh"))
            self.start_sshd(alias, role)
        with open(self.path("known_hosts"), "w") as f:
            for port in self.ports.values():
                f.write(f"[127.0.0.1]:{port} {host_key}\n")
        with open(self.path("ssh_config"), "w") as f:
            for alias, port in self.ports.items():
                f.write(f"Host {alias}\n  HostName 127.0.0.1\n  Port {port}\n")
            f.write(f"""Host *
  User {getpass.getuser()}
  IdentityFile {self.path('user_key')}
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile {self.path('known_hosts')}
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
""")

    def start_sshd(self, alias, role):
        for _ in range(5):  # a port taken between free_port() and sshd's bind: try another
            port = free_port()
            config = self.path(f"sshd_{alias}.config")
            with open(config, "w") as f:
                f.write(f"""Port {port}
ListenAddress 127.0.0.1
HostKey {self.path('host_key')}
PidFile none
AuthorizedKeysFile {self.path('authorized_keys')}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
SetEnv HOST_ROLE={role} HOME={self.home(alias)} SINK_TEST_FIXTURE={self.marker} PATH={self.path('bin-' + alias)}:/usr/bin:/bin
ForceCommand cd "$HOME" && exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
LogLevel ERROR
""")
            log = open(self.path(f"sshd_{alias}.log"), "wb")
            p = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=log, start_new_session=True)
            log.close()
            deadline = time.monotonic() + START_TIMEOUT
            while p.poll() is None and time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    self.sshds[alias], self.ports[alias] = p, port
                    return
                except OSError:
                    time.sleep(0.05)
            if p.poll() is None:
                p.kill()
            p.wait()
        with open(self.path(f"sshd_{alias}.log"), errors="replace") as f:
            raise RuntimeError(f"sshd for {alias} did not start: {f.read()[-1000:]}")

    def session_processes(self):
        """Processes of the sessions (the remote side of every run): their environment
        carries this fixture's marker."""
        needle = f"SINK_TEST_FIXTURE={self.marker}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
        return found

    def children_of_sshds(self):
        pids = {p.pid for p in self.sshds.values()}
        found = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) in pids:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        return found

    def stop(self):
        for pid in self.children_of_sshds():  # connections still open
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for p in self.sshds.values():
            if p.poll() is None:
                p.terminate()
        for p in self.sshds.values():
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for pid in self.session_processes():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for holder in self.holders:
            holder.close()
        shutil.rmtree(self.dir, ignore_errors=True)
