#!/usr/bin/python3
# A stand-in for systemd's notify socket (test/e2e/notify.test.ts): binds a
# unix datagram socket at argv[1] ("@name": the abstract namespace, as in
# NOTIFY_SOCKET) and prints one JSON line per datagram received:
#   {"ms": wall-clock ms, "monoUs": CLOCK_MONOTONIC µs, "pid": sender, "fields": ["READY=1", ...]}
# after a first line {"listening": PATH}. It closes every file descriptor a
# message carries (systemd-notify's BARRIER=1 sends one and waits for it to
# be closed, as the service manager does). Python's standard library only:
# Node has no unix datagram sockets. Runs until killed.
import json
import os
import socket
import struct
import sys
import time

path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + path[1:] if path.startswith("@") else path)
print(json.dumps({"listening": path}), flush=True)
ucred = struct.calcsize("iII")
while True:
    data, ancillary, _flags, _addr = s.recvmsg(65536, socket.CMSG_SPACE(ucred) + socket.CMSG_SPACE(16 * 4))
    mono_us = time.monotonic_ns() // 1000
    pid = None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", payload[:ucred])[0]
        elif level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(len(payload) // 4):
                os.close(struct.unpack_from("i", payload, 4 * i)[0])
    fields = [f for f in data.decode("utf-8", "replace").split("\n") if f != ""]
    print(json.dumps({"ms": time.time() * 1000, "monoUs": mono_us, "pid": pid, "fields": fields}), flush=True)
