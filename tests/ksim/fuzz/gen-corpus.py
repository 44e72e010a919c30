#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of the ksim fuzz target (fuzz-ops.c).

    tests/ksim/fuzz/gen-corpus.py tests/ksim/fuzz-corpus

Each seed is a small program in fuzz-ops.c's input format: an opcode byte
and its argument bytes.  The seeds walk the main scenarios (claim, release,
hand-over between guests, grants, privilege, queue removal, mask edits,
faults, slow/failing/hanging resets, RAPQ, retry) so that the campaign
starts from every path instead of finding each by chance.  The output is
deterministic; rerun the command after changing the opcodes in
fuzz-ops.c, and commit the result.
"""
import os
import sys

# the opcodes of fuzz-ops.c, in order
(VM_CREATE, VM_DESTROY, SET, GET, CLEAR, RESET, GRANT, GRANT_CLOSE,
 QDEV_DEL, QDEV_ADD, APMASK, AQMASK, PRIV, FAULT, QUEUE, SCRIPT, TIME,
 RAPQ, RETRY) = range(19)

F0, F1, F2 = 0, 1 << 2, 2 << 2        # VM_CREATE: CRYCB format


def apqn(i, j):
    """The APQN byte of (ids[i], ids[j])."""
    return i | j << 3


def zapq(i, j, c1, c2=None):
    b = c1 << 1 | (0 if c2 is None else c2 << 4 | 0x80)
    return [SCRIPT, apqn(i, j), b]


def tapq(i, j, c1, c2=None):
    return [SCRIPT, apqn(i, j), 1 | (zapq(i, j, c1, c2)[2])]


SEEDS = {
    # one guest: claim, get, reset, clear
    "claim": [VM_CREATE, F2, SET, 0, 0x03, 0x03, 0x01, 0, GET, 0,
              RESET, 0, CLEAR, 0],
    "claim-format0": [VM_CREATE, F0, SET, 0, 0x7f, 0x1f, 0x01, 0,
                      SET, 0, 0xff, 0xff, 0, 0, GET, 0],
    "claim-format1": [VM_CREATE, F1, SET, 0, 0x40, 0x10, 0x20, 0],
    # hand-over between two guests, by clear, shrink and destroy
    "handover-clear": [VM_CREATE, F2, VM_CREATE, 1 | F2,
                       SET, 0, 0x01, 0x01, 0, 0, SET, 1, 0x01, 0x01, 0, 0,
                       CLEAR, 0, SET, 1, 0x01, 0x01, 0, 0],
    "handover-shrink": [VM_CREATE, F2, VM_CREATE, 1 | F2,
                        SET, 0, 0x03, 0x03, 0, 0, SET, 0, 0x01, 0x01, 0, 0,
                        SET, 1, 0x02, 0x03, 0, 0],
    "handover-destroy": [VM_CREATE, F2, VM_CREATE, 1 | F2,
                         SET, 0, 0x05, 0x05, 0x02, 0, VM_DESTROY, 0,
                         SET, 1, 0x05, 0x05, 0x02, 0],
    "control-domains": [VM_CREATE, F2, VM_CREATE, 1 | F2,
                        SET, 0, 0x01, 0x01, 0x06, 0, SET, 1, 0x01, 0x02, 0, 0,
                        SET, 1, 0x02, 0x02, 0x04, 0],
    # grants and privilege
    "grant": [VM_CREATE, F2, GRANT, 0, 0x03, 0x03, 0x04, 0, PRIV, 0,
              SET, 0, 0x01, 0x01, 0x04, 0x04, GET, 0, GRANT_CLOSE, 0,
              CLEAR, 0],
    "grant-denied": [VM_CREATE, F2, GRANT, 0, 0x01, 0x01, 0, 0, PRIV, 0,
                     SET, 0, 0x02, 0x01, 0, 0x04, SET, 0, 0x01, 0x01, 0, 0],
    "grant-conflict": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0,
                       GRANT, 1, 0x01, 0x03, 0, 0, GRANT, 2, 0x02, 0x02, 0, 0,
                       GRANT, 3, 0x02, 0x02, 0, 0],
    "grant-bad-args": [GRANT, 0, 0x01, 0x01, 0, 1, GRANT, 0, 0x01, 0x01, 0, 2,
                       VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0x84 | 0x04],
    "unprivileged-shrink": [VM_CREATE, F2, SET, 0, 0x03, 0x03, 0, 0,
                            PRIV, 0, SET, 0, 0x01, 0x03, 0, 0,
                            SET, 0, 0x07, 0x03, 0, 0, PRIV, 1],
    "bad-args": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0x08,
                 SET, 0, 0x01, 0x01, 0, 0x30],
    "limits": [VM_CREATE, F0, SET, 0, 0x80, 0x01, 0, 0,
               SET, 0, 0x01, 0x20, 0, 0, SET, 0, 0x01, 0x01, 0x20, 0],
    # the host: masks and queues
    "apmask-veto": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0,
                    APMASK, 0x03, AQMASK, 0x01, APMASK, 0x02, AQMASK, 0x03],
    "host-owned": [APMASK, 0x01, AQMASK, 0x01, VM_CREATE, F2,
                   SET, 0, 0x01, 0x01, 0, 0, SET, 0, 0x02, 0x01, 0, 0],
    "qdev-remove": [VM_CREATE, F2, SET, 0, 0x01, 0x03, 0, 0,
                    QDEV_DEL, apqn(0, 1), GET, 0, QDEV_ADD, apqn(0, 1),
                    GET, 0, CLEAR, 0],
    "qdev-remove-release": [VM_CREATE, F2, VM_CREATE, 1 | F2,
                            SET, 0, 0x01, 0x01, 0, 0, QDEV_DEL, apqn(0, 0),
                            CLEAR, 0, QDEV_ADD, apqn(0, 0),
                            SET, 1, 0x01, 0x01, 0, 0],
    "qdev-hole": [QDEV_DEL, apqn(1, 1), VM_CREATE, F2,
                  SET, 0, 0x03, 0x03, 0, 0, CLEAR, 0, QDEV_ADD, apqn(1, 1)],
    # resets: slow, failing, hanging, RAPQ, retry
    "reset-slow": [QUEUE, apqn(0, 0), 0x1b, VM_CREATE, F2,
                   SET, 0, 0x01, 0x01, 0, 0, CLEAR, 0, TIME, 4,
                   VM_CREATE, 1 | F2, SET, 1, 0x01, 0x01, 0, 0],
    "reset-hangs": [VM_CREATE, F2, VM_CREATE, 1 | F2, SET, 0, 0x01, 0x01, 0, 0,
                    QUEUE, apqn(0, 0), 0xe0, CLEAR, 0,
                    SET, 1, 0x01, 0x01, 0, 0, QUEUE, apqn(0, 0), 0,
                    RETRY, apqn(0, 0), SET, 1, 0x01, 0x01, 0, 0],
    "reset-irq-stays": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0,
                        QUEUE, apqn(0, 0), 0xc0, RESET, 0, CLEAR, 0],
    "zapq-rc": [VM_CREATE, F2, SET, 0, 0x01, 0x03, 0, 0]
    + zapq(0, 0, 3) + zapq(0, 1, 4) + [CLEAR, 0, RETRY, apqn(0, 0),
                                       RETRY, apqn(0, 1)],
    "zapq-busy": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0]
    + zapq(0, 0, 5, 7) + [RESET, 0, CLEAR, 0],
    "zapq-rc02": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0]
    + zapq(0, 0, 2) + [CLEAR, 0],
    "tapq-rc": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0]
    + tapq(0, 0, 4) + [RESET, 0] + tapq(0, 0, 3) + [CLEAR, 0],
    "tapq-absent": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0]
    + tapq(0, 0, 1) + [CLEAR, 0, VM_CREATE, 1 | F2, SET, 1, 0x01, 0x01, 0, 0],
    "new-queue-unclean": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0]
    + zapq(0, 1, 3) + [SET, 0, 0x01, 0x03, 0, 0, GET, 0, RESET, 0, GET, 0],
    "rapq": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0, QUEUE, apqn(0, 0), 0x08,
             RAPQ, apqn(0, 0), CLEAR, 0, TIME, 20],
    # faults on the next call
    "fault-alloc": [VM_CREATE, F2, FAULT, 0, 0, SET, 0, 0x01, 0x01, 0, 0,
                    FAULT, 0, 1, SET, 0, 0x01, 0x01, 0, 0],
    "fault-copy": [VM_CREATE, F2, FAULT, 1, 0, SET, 0, 0x01, 0x01, 0, 0,
                   FAULT, 2, 0, SET, 0, 0x01, 0x01, 0, 0,
                   FAULT, 2, 1, SET, 0, 0x03, 0x01, 0, 0, FAULT, 2, 0, GET, 0],
    "fault-signal": [VM_CREATE, F2, SET, 0, 0x01, 0x01, 0, 0,
                     FAULT, 3, 0, SET, 0, 0x03, 0x01, 0, 0,
                     FAULT, 3, 0, CLEAR, 0, FAULT, 3, 0, RESET, 0],
    "fault-grant": [FAULT, 4, 0, GRANT, 0, 0x01, 0x01, 0, 0,
                    FAULT, 0, 0, GRANT, 0, 0x01, 0x01, 0, 0,
                    FAULT, 2, 0, GRANT, 0, 0x01, 0x01, 0, 0],
    # many guests at once
    "four-guests": [VM_CREATE, F2, VM_CREATE, 1 | F1, VM_CREATE, 2 | F0,
                    VM_CREATE, 3 | F2, SET, 0, 0x01, 0x01, 0, 0,
                    SET, 1, 0x02, 0x02, 0, 0, SET, 2, 0x04, 0x04, 0, 0,
                    SET, 3, 0x01, 0x02, 0, 0, SET, 3, 0x08, 0x08, 0x01, 0,
                    VM_DESTROY, 1, SET, 2, 0x02, 0x02, 0, 0],
    "everything": [VM_CREATE, F2, VM_CREATE, 1 | F2, GRANT, 0, 0x0f, 0x0f, 0, 0,
                   SET, 0, 0xff, 0xff, 0xff, 0, SET, 1, 0x01, 0x01, 0, 0x04,
                   APMASK, 0xff, VM_DESTROY, 0, PRIV, 0,
                   SET, 1, 0x01, 0x01, 0, 0x04],
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/ksim/fuzz-corpus"
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.startswith("seed-"):
            os.unlink(os.path.join(out, name))
    for name, prog in SEEDS.items():
        assert all(0 <= b < 256 for b in prog), name
        with open(os.path.join(out, "seed-" + name), "wb") as f:
            f.write(bytes(prog))
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
