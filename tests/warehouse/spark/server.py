"""A local Apache Spark SQL Thrift server (HiveServer2 protocol), started from the Spark that the
`pyspark` wheel ships, for the Spark tests and `bench/bench_warehouse.py --engine spark`.

The server runs `spark-submit ... HiveThriftServer2 spark-internal` in a process group of its
own with its warehouse, metastore (Derby) and logs under one scratch directory, listens on
127.0.0.1 only, and is stopped by killing that group. Its session time zone is UTC, so a
TIMESTAMP written as a UTC wall time is that instant.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

THRIFT_SERVER = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
START_TIMEOUT = 240.0
"""Seconds to wait for the port: about 45 s on two busy cores, far more under a loaded suite."""


class SparkUnavailable(RuntimeError):
    """Spark cannot start here: no pyspark, no Java, or the server died or never listened."""


@dataclass(frozen=True)
class SparkServer:
    host: str
    port: int
    log: Path

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the server's `default` database (PyHive's dialect)."""
        return f"hive://{self.host}:{self.port}/default"


def spark_home() -> Path:
    """The Spark distribution inside the pyspark wheel (bin/spark-submit, jars/)."""
    try:
        import pyspark
    except ImportError as exc:
        raise SparkUnavailable("pyspark is not installed (pip install 'cxgov[spark]')") from exc
    home = Path(pyspark.__file__).resolve().parent
    if not (home / "bin" / "spark-submit").exists():
        raise SparkUnavailable(f"{home} has no bin/spark-submit")
    if not any((home / "jars").glob("spark-hive-thriftserver_*.jar")):
        raise SparkUnavailable(f"{home / 'jars'} has no spark-hive-thriftserver jar")
    return home


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise SparkUnavailable("Spark needs Java 17 or newer: no `java` on PATH or in JAVA_HOME")
    return java


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextmanager
def thrift_server(
    scratch: Path,
    *,
    cores: int = 2,
    driver_memory: str = "2g",
    small: bool = False,
) -> Iterator[SparkServer]:
    """A running Thrift server for the duration of the `with` block. `small`: tuned for tables
    of a few thousand rows, where Spark's fixed costs per query (compiling generated code,
    warming the JIT, scheduling shuffle tasks) are nearly all the time."""
    home = spark_home()
    _java()
    scratch.mkdir(parents=True, exist_ok=True)
    host, port = "127.0.0.1", _free_port()
    log = scratch / "thriftserver.log"
    derby = scratch / "derby"
    derby.mkdir(exist_ok=True)
    command = [
        str(home / "bin" / "spark-submit"),
        "--master",
        f"local[{cores}]",
        "--driver-memory",
        driver_memory,
        "--class",
        THRIFT_SERVER,
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.session.timeZone=UTC",
        "--conf",
        f"spark.sql.warehouse.dir={scratch / 'warehouse'}",
        "--conf",
        f"spark.driver.extraJavaOptions=-Dderby.system.home={derby}"
        + (" -XX:TieredStopAtLevel=1" if small else ""),
        # few shuffle partitions: the machine has two cores
        "--conf",
        f"spark.sql.shuffle.partitions={1 if small else 2 * cores}",
        *(["--conf", "spark.sql.codegen.wholeStage=false"] if small else []),
        "--hiveconf",
        f"javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName={scratch / 'metastore_db'};"
        "create=true",
        "--hiveconf",
        f"hive.server2.thrift.bind.host={host}",
        "--hiveconf",
        f"hive.server2.thrift.port={port}",
        "spark-internal",
    ]
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(scratch / "logs")}
    # the launcher daemonises nothing when run through spark-submit; its JVM is a child in the
    # new session, so killing the group stops the launcher and the JVM together
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _listening(host, port):
            if process.poll() is not None:
                raise SparkUnavailable(
                    f"the Spark Thrift server exited with {process.returncode}:\n{_tail(log)}"
                )
            if time.monotonic() > deadline:
                raise SparkUnavailable(
                    f"the Spark Thrift server did not listen on {host}:{port} within "
                    f"{START_TIMEOUT:.0f} s:\n{_tail(log)}"
                )
            time.sleep(0.5)
        yield SparkServer(host, port, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            # the JVM may outlive the launcher for a moment: make sure the group is gone
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue
