#!/usr/bin/python3
"""Runs a command against a throwaway PostgreSQL server.

    with-postgresql.py CMD ARGS...

Starts a server from Debian's `postgresql` package in a temporary
directory: `initdb` with trust authentication, listening on 127.0.0.1 only
(on a free port) and on a unix socket inside the directory. As root, the
server runs as the `postgres` system user, since PostgreSQL refuses to run
as root. Once it accepts connections, a database is created and CMD runs
with

    VERNIER_TEST_POSTGRESQL_URI=postgresql://vernier@127.0.0.1:PORT/vernier
    PGHOST=127.0.0.1 PGPORT=PORT PGUSER=vernier PGDATABASE=vernier

Afterwards the server is stopped (`pg_ctl stop -m fast`) and the directory
removed, whatever happened; the exit status is CMD's. When the server
cannot be started, this exits with status 1 and says why, with the tail of
the server's log: a test that needs the server fails, it is never skipped.

The server is a child of this process, in its process group: a test
runner that kills the group on a timeout kills the server too.
"""

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

USER = "vernier"
DATABASE = "vernier"
START_TIMEOUT = 60
PROG = "with-postgresql.py"


class StartError(Exception):
    pass


def say(message):
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def find_bindir():
    """The newest /usr/lib/postgresql/VERSION/bin with initdb."""
    def version(path):
        match = re.search(r"/postgresql/([0-9.]+)/bin/", path)
        return [int(p) for p in match.group(1).split(".")] if match else [0]

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise StartError("initdb not found under /usr/lib/postgresql/*/bin nor on "
                     "PATH: install Debian's 'postgresql' package")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(no log: {e.strerror})\n"


class Server:
    def __init__(self):
        self.bindir = find_bindir()
        self.dir = None
        self.process = None
        self.port = None
        self.as_user = {}
        self.env = dict(os.environ)
        # Our own settings, not the caller's, for the server's tools.
        for key in list(self.env):
            if key.startswith("PG"):
                del self.env[key]
        self.env["LC_ALL"] = "C"

        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise StartError("running as root, and there is no 'postgres' "
                                 "system user to run the server as (PostgreSQL "
                                 "refuses to run as root)")
            self.as_user = {"user": entry.pw_uid, "group": entry.pw_gid,
                            "extra_groups": []}
            self.env["HOME"] = entry.pw_dir
            self.uid, self.gid = entry.pw_uid, entry.pw_gid

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    @property
    def log(self):
        return os.path.join(self.dir, "server.log")

    def tool(self, name, *args, check=True):
        """Runs a PostgreSQL program as the server's user (from /, which
        that user can enter whatever our directory is)."""
        result = subprocess.run([os.path.join(self.bindir, name), *args],
                                env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, cwd="/", **self.as_user)
        if check and result.returncode != 0:
            raise StartError(f"{name} exited with status {result.returncode}:\n"
                             f"{result.stdout}")
        return result

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="vernier-pg-")
        if self.as_user:
            os.chown(self.dir, self.uid, self.gid)
        self.tool("initdb", "-D", self.data, "-U", USER, "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync",
                  "--no-instructions")

        # A free port may be taken again before the server binds it.
        for attempt in range(3):
            self.port = free_port()
            if self.launch():
                break
            if "could not bind" not in tail(self.log) or attempt == 2:
                raise StartError("the server exited while starting")
        self.tool("createdb", "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", USER, DATABASE)

    def launch(self):
        """Starts the server; False if it exits before accepting."""
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(
                [os.path.join(self.bindir, "postgres"), "-D", self.data,
                 "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1",
                 "-c", f"unix_socket_directories={self.dir}",
                 "-c", "logging_collector=off",
                 "-c", "max_connections=200"],
                env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd="/", **self.as_user)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                return False
            ready = self.tool("pg_isready", "-q", "-h", "127.0.0.1",
                              "-p", str(self.port), "-U", USER, "-d", "postgres",
                              "-t", "1",
                              check=False)
            if ready.returncode == 0:
                return True
            time.sleep(0.1)
        raise StartError(f"the server did not accept connections within "
                         f"{START_TIMEOUT} s")

    def stop(self):
        if self.process is not None:
            stopped = self.tool("pg_ctl", "stop", "-D", self.data, "-m", "fast",
                                "-w", "-t", "30", check=False)
            if stopped.returncode != 0:
                say(f"pg_ctl stop failed ({stopped.stdout.strip()}); killing "
                    f"the server")
                self.process.kill()
            self.process.wait()
            self.process = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None


def on_signal(number, frame):
    raise SystemExit(128 + number)


def main(argv):
    if len(argv) < 2:
        say("usage: with-postgresql.py CMD ARGS...")
        return 2

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)

    server = None
    child = None
    try:
        try:
            server = Server()
            server.start()
        except (StartError, OSError) as e:
            say(f"cannot start a PostgreSQL server: {e}")
            if server is not None and server.dir is not None:
                say(f"last lines of the server log {server.log}:\n"
                    f"{tail(server.log)}")
            return 1

        env = dict(os.environ)
        env.update({
            "VERNIER_TEST_POSTGRESQL_URI":
                f"postgresql://{USER}@127.0.0.1:{server.port}/{DATABASE}",
            "PGHOST": "127.0.0.1",
            "PGPORT": str(server.port),
            "PGUSER": USER,
            "PGDATABASE": DATABASE,
        })
        env.pop("PGPASSWORD", None)
        env.pop("PGSERVICE", None)
        try:
            child = subprocess.Popen(argv[1:], env=env)
        except OSError as e:
            say(f"cannot run {argv[1]}: {e.strerror}")
            return 127
        status = child.wait()
        child = None
        if status < 0:
            say(f"{argv[1]} was killed by signal {-status}")
            return 128 - status
        if status != 0:
            say(f"{argv[1]} exited with status {status}; last lines of the "
                f"server log:\n{tail(server.log)}")
        return status
    finally:
        if child is not None:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
