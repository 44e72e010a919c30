#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Socket clients and servers for the apmatrix serve/connect tests
(tests/tools/run-tests).

  sockclient.py hold SOCK N
      open N connections to SOCK and send nothing; print "refused: TEXT"
      for each that the daemon answers or closes within 0.5 s, then
      "holding K", then wait until every held one is closed by the daemon
      (at most 30 s) and print "dropped K after S s"
  sockclient.py split SOCK NAME
      send "GET NAME\\n" in four writes 0.2 s apart; print the answer line
      and "fd" if a descriptor came with it
  sockclient.py deaf SOCK
      listen on SOCK, accept and never answer; print "listening"; run
      until killed
  sockclient.py flood SOCK N HOW
      N clients one after the other: HOW "close" connects and closes at
      once; "bad" shuts its reading side down, sends a bad request and
      closes (the daemon's answer cannot be delivered); "get:NAME" sends
      "GET NAME\\n" and reads the answer.  Prints "answers K" (the
      answers received) and "pid P" (this process, the daemon's client)
  sockclient.py activate SOCK PID FDS -- COMMAND...
      exec COMMAND as systemd's socket activation would: fd 3 a listening
      socket on SOCK (or, with SOCK "-", a regular file), LISTEN_PID=PID
      ("self": this process, which COMMAND becomes) and LISTEN_FDS=FDS
"""
import os
import select
import socket
import sys
import time


def hold(path, n):
    held = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        r, _, _ = select.select([s], [], [], 0.5)
        if r:
            data = s.recv(512).decode(errors="replace").strip()
            print("refused: " + (data or "(closed)"), flush=True)
            s.close()
        else:
            held.append(s)
    print("holding %d" % len(held), flush=True)
    t0 = time.monotonic()
    left = list(held)
    while left and time.monotonic() - t0 < 30:
        r, _, _ = select.select(left, [], [], 0.1)
        for s in r:
            if not s.recv(512):
                left.remove(s)
    print("dropped %d after %.1f s" % (len(held) - len(left),
                                        time.monotonic() - t0), flush=True)


def split(path, name):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    req = ("GET %s\n" % name).encode()
    q = len(req) // 4 or 1
    for i in range(0, len(req), q):
        s.send(req[i:i + q])
        time.sleep(0.2)
    msg, fds, _, _ = socket.recv_fds(s, 4096, 1)
    print(msg.decode(errors="replace").strip())
    if fds:
        print("fd")


def deaf(path):
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    print("listening", flush=True)
    conns = []
    while True:
        c, _ = s.accept()
        conns.append(c)


def flood(path, n, how):
    answers = 0
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)         # blocking: waits while the backlog is full
        s.settimeout(10)
        if how == "bad":
            # reading side down first (for AF_UNIX, Linux's unix_shutdown()
            # marks the daemon's side SEND_SHUTDOWN at once): its answer
            # fails with EPIPE however fast it is
            s.shutdown(socket.SHUT_RD)
            s.send(b"BAD\n")
        elif how.startswith("get:"):
            s.send(("GET %s\n" % how[4:]).encode())
            if s.recv(512):
                answers += 1
        s.close()
    print("answers %d" % answers)
    print("pid %d" % os.getpid(), flush=True)


def activate(path, pid, fds, cmd):
    if path == "-":
        fd = os.open("/dev/null", os.O_RDONLY)
    else:
        if os.path.exists(path):
            os.unlink(path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(16)
        fd = s.detach()
    if fd != 3:
        os.dup2(fd, 3)
        os.close(fd)
    os.set_inheritable(3, True)
    os.environ["LISTEN_PID"] = str(os.getpid()) if pid == "self" else pid
    os.environ["LISTEN_FDS"] = fds
    os.execvp(cmd[0], cmd)


def main(a):
    if a[0] == "hold":
        hold(a[1], int(a[2]))
    elif a[0] == "split":
        split(a[1], a[2])
    elif a[0] == "deaf":
        deaf(a[1])
    elif a[0] == "flood":
        flood(a[1], int(a[2]), a[3])
    elif a[0] == "activate" and a[4] == "--":
        activate(a[1], a[2], a[3], a[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
