#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Host side of the test bed (issue 9): runs QEMU, keeps its console, and
answers the guest's requests for the emulated AP host's monitor.

  tb-host.py --console FILE [--timeout S] [--log FILE] -- QEMU ARGS...

QEMU gets two extra chardevs, both unix sockets this script listens on
(QEMU connects as the client, so nothing is lost before we accept):
the console (-serial) and a QMP monitor.  Everything the console prints
goes to FILE.  A console line

  testbed-req N VERB ARGS...

is a request of the guest's tests (tests/testbed/guest/hw.c); the answer
goes back into the console's input as one line

  testbed-ack N ok RESULT...     or     testbed-ack N error MESSAGE

Verbs (APQN aa.dddd, LIST an id list: decimal or 0x-hex ids and ranges
a-b separated by ':' as in docs/id-list-syntax.md):

  get APQN                 qom-get queue[APQN]: its state line
  set APQN KNOBS...        qom-set queue[APQN] KNOBS (ap-emu.c's
                           ap_emu_queue_set(): plant=HEX, zapq-busy=N,
                           zapq-rc=XX[,N], reset-polls=N, reset-ms=N,
                           tapq-rc=XX, faults-off, clear)
  setall ALIST DLIST KNOBS every queue of ALIST x DLIST, as set
  sum ALIST DLIST          the sums of replies, zapqs, tapqs over the
                           queues: "queues=N replies=N zapqs=N tapqs=N"
  prop NAME [VALUE]        qom-get/qom-set a device property
                           (removed, deconfigured, checkstopped; na and
                           nd, QCI's Na and Nd, can only be read);
                           VALUE "-" is the empty list

--profile FILE: a poor man's profiler for the guest kernel (under TCG
there is no perf): every 100 ms, "info registers -a" over the monitor,
and one line "T CPU ADDR R14" (seconds since start, vCPU, PSW address
and register 14, the return address, in hex) per vCPU into FILE.  tests/testbed/host/tb-profile turns it into a
histogram by kernel function with the kernel's System.map.

The exit status is QEMU's, 124 on timeout (as timeout(1)).

  tb-host.py --ids LIST    the ids of LIST, one per line in ascending
                           order (scripts/testbed checks its settings
                           with it); a bad list: the reason, exit 1
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

DEV = "/machine/peripheral/apemu"


def parse_idlist(text):
    """An id list as the core's apmx_idlist_parse() reads it
    (docs/id-list-syntax.md, no '+'/'-' edits): ids 0-255, decimal
    (leading zeros never octal) or 0x-hex, ranges a-b, separated by ':' or
    ',', no blanks; "" is refused here (callers handle the empty set)."""
    ids = set()
    for part in re.split("[:,]", text):
        m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|[0-9]+)"
                         r"(?:-(0[xX][0-9a-fA-F]+|[0-9]+))?", part)
        if not m:
            raise ValueError("bad element '%s' in '%s'" % (part, text))
        # decimal (leading zeros never mean octal) or 0x hex
        a, b = (int(g, 16) if g[:2] in ("0x", "0X") else int(g, 10)
                for g in (m.group(1), m.group(2) or m.group(1)))
        if not 0 <= a <= b <= 255:
            raise ValueError("bad range '%s'" % part)
        ids.update(range(a, b + 1))
    return sorted(ids)


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.events = {}                # event name -> how many came
        self.read_msg()                 # greeting
        self.cmd("qmp_capabilities")

    def read_msg(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name,
                                      "arguments": args}).encode() + b"\n")
        while True:
            msg = self.read_msg()
            if "event" in msg:
                self.events[msg["event"]] = self.events.get(msg["event"],
                                                            0) + 1
                continue
            if "error" in msg:
                raise RuntimeError(msg["error"].get("desc", str(msg)))
            return msg["return"]


def apqn_ok(text):
    if not re.fullmatch(r"[0-9a-f]{2}\.[0-9a-f]{4}", text):
        raise ValueError("bad APQN '%s'" % text)
    return text


def queues(alist, dlist):
    return ["%02x.%04x" % (a, d)
            for a in parse_idlist(alist) for d in parse_idlist(dlist)]


def state_of(qmp, apqn):
    return qmp.cmd("qom-get", path=DEV, property="queue[%s]" % apqn)


def matrix_text(qmp):
    """query-s390-ap-matrix as "adapters=L domains=L control-domains=L
    in-use=B event-pending=B" ("-" for an empty list)."""
    info = qmp.cmd("query-s390-ap-matrix")
    req = info["requested"]
    return " ".join(["%s=%s" % (k, req[k] or "-")
                     for k in ("adapters", "domains", "control-domains")] +
                    ["%s=%s" % (k, str(info[k]).lower())
                     for k in ("in-use", "event-pending")])


def handle(qmp, verb, args):
    if verb == "get" and len(args) == 1:
        return state_of(qmp, apqn_ok(args[0]))
    if verb == "set" and len(args) >= 2:
        qmp.cmd("qom-set", path=DEV, property="queue[%s]" % apqn_ok(args[0]),
                value=" ".join(args[1:]))
        return state_of(qmp, args[0])
    if verb == "setall" and len(args) >= 3:
        qs = queues(args[0], args[1])
        for q in qs:
            qmp.cmd("qom-set", path=DEV, property="queue[%s]" % q,
                    value=" ".join(args[2:]))
        return "queues=%d" % len(qs)
    if verb == "sum" and len(args) == 2:
        tot = {"replies": 0, "zapqs": 0, "tapqs": 0}
        qs = queues(args[0], args[1])
        for q in qs:
            st = dict(kv.split("=", 1) for kv in state_of(qmp, q).split())
            for k in tot:
                tot[k] += int(st[k])
        return "queues=%d " % len(qs) + " ".join("%s=%d" % kv
                                                 for kv in tot.items())
    if verb == "prop" and len(args) in (1, 2):
        if len(args) == 2:
            qmp.cmd("qom-set", path=DEV, property=args[0],
                    value="" if args[1] == "-" else args[1])
        return qmp.cmd("qom-get", path=DEV, property=args[0]) or "-"
    if verb == "matrix" and len(args) == 3:
        # the machine's AP matrix in one step; "-" is the empty list
        lists = ["" if a == "-" else a for a in args]
        qmp.cmd("set-s390-ap-matrix", adapters=lists[0], domains=lists[1],
                **{"control-domains": lists[2]})
        return matrix_text(qmp)
    if verb == "matrix-get" and not args:
        return matrix_text(qmp)
    if verb == "events" and len(args) == 1:
        qmp.cmd("query-status")         # collect what came meanwhile
        return qmp.events.get(args[0], 0)
    raise ValueError("bad request '%s %s'" % (verb, " ".join(args)))


def sample(qmp, prof, t):
    """One line per vCPU: its PSW address (target/s390x/cpu-dump.c
    s390_cpu_dump_state() prints "CPU#N" and "PSW=mask M addr A")."""
    try:
        out = qmp.cmd("human-monitor-command",
                      **{"command-line": "info registers -a"})
    except (RuntimeError, OSError, EOFError):
        return
    cpu, addr = 0, None
    for ln in out.splitlines():
        m = re.match(r"\s*CPU#(\d+)", ln)
        if m:
            cpu = int(m.group(1))
        m = re.search(r"PSW=mask [0-9a-f]+ addr ([0-9a-f]+)", ln)
        if m:
            addr = m.group(1)
        # r14: the return address of the function the PSW is in (s390
        # calling convention), one level of call graph
        m = re.search(r"R14=([0-9a-f]+)", ln)
        if m and addr:
            prof.write("%.2f %d %s %s\n" % (t, cpu, addr, m.group(1)))
            addr = None


def main():
    if sys.argv[1:2] == ["--ids"] and len(sys.argv) == 3:
        try:
            ids = parse_idlist(sys.argv[2]) if sys.argv[2] else []
        except ValueError as e:
            sys.exit("tb-host.py: id list '%s': %s" % (sys.argv[2], e))
        for i in ids:
            print(i)
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--console", required=True)
    ap.add_argument("--log")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--profile")
    ap.add_argument("qemu", nargs=argparse.REMAINDER)
    opt = ap.parse_args()
    cmd = opt.qemu[1:] if opt.qemu[:1] == ["--"] else opt.qemu
    if not cmd:
        ap.error("no QEMU command")

    # short socket paths (sun_path has 108 bytes)
    tmp = tempfile.mkdtemp(prefix="tb-host.")
    paths = {n: os.path.join(tmp, n) for n in ("con", "qmp")}
    listen = {}
    for n, p in paths.items():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(p)
        s.listen(1)
        listen[n] = s
    cmd += ["-chardev", "socket,id=tbcon,path=" + paths["con"],
            "-serial", "chardev:tbcon",
            "-chardev", "socket,id=tbqmp,path=" + paths["qmp"],
            "-mon", "chardev=tbqmp,mode=control"]

    con_file = open(opt.console, "wb")
    log = open(opt.log, "w") if opt.log else None
    prof = open(opt.profile, "w") if opt.profile else None
    tick = 0.1 if prof else 1.0
    last_sample = 0.0
    t0 = time.monotonic()
    deadline = t0 + opt.timeout
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=con_file,
                            stderr=subprocess.STDOUT)
    rc = None
    conn = {}
    try:
        for n in ("con", "qmp"):
            listen[n].settimeout(60)
            conn[n], _ = listen[n].accept()
            listen[n].close()
        qmp = Qmp(conn["qmp"])
        con = conn["con"]
        line = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                rc = 124
                break
            r, _, _ = select.select([con], [], [], min(left, tick))
            if prof and time.monotonic() - last_sample >= tick:
                last_sample = time.monotonic()
                sample(qmp, prof, last_sample - t0)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            data = con.recv(65536)
            if not data:
                break
            con_file.write(data)
            con_file.flush()
            line += data
            while b"\n" in line:
                one, _, line = line.partition(b"\n")
                m = re.match(rb"testbed-req (\d+) (\S+)(.*)$",
                             one.rstrip(b"\r"))
                if not m:
                    continue
                n = m.group(1).decode()
                verb = m.group(2).decode()
                args = m.group(3).decode().split()
                try:
                    ans = "ok " + str(handle(qmp, verb, args))
                except (ValueError, RuntimeError) as e:
                    ans = "error " + str(e)
                ans = ans.replace("\n", " ")
                if log:
                    log.write("%.3f req %s %s %s\n%.3f ack %s %s\n" %
                              (time.monotonic() - t0, n, verb,
                               " ".join(args), time.monotonic() - t0, n,
                               ans))
                    log.flush()
                con.sendall(("testbed-ack %s %s\n" % (n, ans)).encode())
    except (OSError, EOFError, socket.timeout) as e:
        print("tb-host: %s" % e, file=sys.stderr)
        if rc is None:
            rc = 1
    finally:
        if proc.poll() is None:
            if rc is None:
                # console closed: QEMU is exiting
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    rc = 124
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for c in conn.values():
            c.close()
        shutil.rmtree(tmp, ignore_errors=True)
        con_file.close()
        if log:
            log.close()
        if prof:
            prof.close()
    if rc is None:
        rc = proc.returncode
    sys.exit(rc)


if __name__ == "__main__":
    main()
