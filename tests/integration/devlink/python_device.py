#!/usr/bin/python3
"""A CARDLINE/1 device written only from devices/protocol/PROTOCOL.md.

It proves the spec is complete enough for another language. Run with Debian's python3-zmq:
  /usr/bin/python3 python_device.py --connect tcp://127.0.0.1:5570 --id qa-py --station qa \
      [--server-key Z85 --public-key Z85 --secret-key Z85] [--jobs N]
It answers every job "ok" and exits 0 after N acknowledged results (0 = run until killed).
"""
import argparse
import json
import os
import sys
import time

import zmq

PROTOCOL_ID = b"CARDLINE/1"  # section 3


def encode(header, body=()):
    # section 4: one compact JSON object; senders write members in the documented order.
    return [PROTOCOL_ID, json.dumps(header, separators=(",", ":"), ensure_ascii=False)
            .encode("utf-8")] + list(body)


def decode(frames):
    """Returns (header, body) or raises ValueError with an ERROR code and message."""
    if len(frames) < 2:
        raise ValueError("bad_message", "missing frames")
    if frames[0] != PROTOCOL_ID:
        code = "unsupported_version" if frames[0].startswith(b"CARDLINE/") else "bad_message"
        raise ValueError(code, "frame 0 is not CARDLINE/1")
    if len(frames[1]) > 8192:
        raise ValueError("too_large", "header over 8192 bytes")
    try:
        header = json.loads(frames[1].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError("bad_message", str(e))
    if not isinstance(header, dict) or not isinstance(header.get("cmd"), str):
        raise ValueError("bad_message", "header must be an object with a cmd")
    return header, frames[2:]


class Device:
    def __init__(self, args):
        self.args = args
        self.ctx = zmq.Context()
        self.session = os.urandom(8).hex()      # section 5.1: fixed for this process
        self.heartbeat_ms = 1000                 # section 7.1 defaults until WELCOME
        self.liveness = 3
        self.backoff_ms = 1000                   # section 7.3
        self.unacked = {}                        # (job, attempt) -> RESULT header; section 8.1
        self.acked = []                          # recently acknowledged (job, attempt)
        self.jobs_done = 0
        self.acks = 0
        self.socket = None
        self.blanks = [b for b in (args.blanks or "").split(",") if b]

    def connect(self):
        s = self.ctx.socket(zmq.DEALER)          # section 2: DEALER, no routing id, connect
        s.setsockopt(zmq.LINGER, 0)
        if self.args.server_key:                 # section 10: CURVE client
            s.curve_serverkey = self.args.server_key.encode()
            s.curve_publickey = self.args.public_key.encode()
            s.curve_secretkey = self.args.secret_key.encode()
        s.connect(self.args.connect)
        self.socket = s

    def send(self, header, body=()):
        try:
            self.socket.send_multipart(encode(header, body), flags=zmq.NOBLOCK)
            return True
        except zmq.Again:
            return False                          # section 6.2: kept, re-sent later

    def ready(self):
        self.send({"cmd": "READY", "device": self.args.id, "station": self.args.station,
                   "capacity": 1, "session": self.session, "software": "python_device.py"})

    def status(self):
        self.send({"cmd": "STATUS", "state": "idle", "jobs_done": self.jobs_done,
                   "jobs_failed": 0})

    def resend_results(self):
        for header in list(self.unacked.values()):
            if not self.send(header):
                break

    def handle(self, header, body):
        cmd = header["cmd"]
        if cmd == "WELCOME":
            if header.get("session") != self.session:
                return
            self.heartbeat_ms = header["heartbeat_ms"]
            self.liveness = header["liveness"]
            self.backoff_ms = 1000
            self.welcomed = True
            self.resend_results()
            self.status()
        elif cmd == "JOB":
            key = (header["job"], header["attempt"])
            parts = header.get("parts") or ""
            names = parts.split(",") if parts else []
            if len(names) != len(body):
                self.send({"cmd": "ERROR", "code": "bad_message",
                           "message": "parts do not match body frames", "command": "JOB"})
                return
            if key in self.unacked:               # section 8.2: answer with the same result
                self.send(self.unacked[key])
                return
            if key in self.acked:
                return
            result = {"cmd": "RESULT", "job": key[0], "attempt": key[1], "outcome": "ok",
                      "detail": "python device, %d payload bytes" % sum(len(b) for b in body),
                      "measurements": {"parts": float(len(body))}}
            if self.args.station == "print":   # section 5.4: the blank consumed (print stations)
                if self.blanks:                   # serials issued to this device's hopper
                    result["blank"] = self.blanks.pop(0)
                else:
                    result["blank"] = "PY-%s-%s-%d" % (self.args.id, self.session,
                                                       self.jobs_done + 1)
            self.jobs_done += 1
            self.unacked[key] = result
            self.send(result)
        elif cmd == "ACK":
            key = (header["job"], header["attempt"])
            if self.unacked.pop(key, None) is not None:
                self.acks += 1
                self.acked = (self.acked + [key])[-1000:]
        elif cmd == "ERROR":
            if header.get("code") == "not_ready":
                self.welcomed = False
                self.ready()
            else:
                print("python_device: MES error %s: %s" % (header.get("code"),
                      header.get("message")), file=sys.stderr)
        elif cmd == "DISCONNECT":
            raise ConnectionResetError("MES disconnected")
        elif cmd == "HEARTBEAT":
            pass
        else:                                     # section 5: unknown command
            self.send({"cmd": "ERROR", "code": "unknown_command",
                       "message": "unknown command", "command": cmd})

    def session_loop(self):
        """One connection; returns when the MES is considered lost."""
        self.connect()
        self.welcomed = False
        self.ready()
        last_in = last_out = time.monotonic()
        poller = zmq.Poller()
        poller.register(self.socket, zmq.POLLIN)
        while True:
            if self.args.jobs and self.acks >= self.args.jobs:
                self.send({"cmd": "DISCONNECT", "reason": "done"})
                return True
            events = dict(poller.poll(max(1, self.heartbeat_ms // 4)))
            if self.socket in events:
                while True:
                    try:
                        frames = self.socket.recv_multipart(flags=zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    last_in = time.monotonic()    # section 7.1: any message is life
                    try:
                        header, body = decode(frames)
                    except ValueError as e:
                        self.send({"cmd": "ERROR", "code": e.args[0], "message": e.args[1]})
                        continue
                    try:
                        self.handle(header, body)
                    except ConnectionResetError:
                        return False
            now = time.monotonic()
            if (now - last_in) * 1000 > self.heartbeat_ms * self.liveness:
                return False                      # section 7.2: the MES is lost
            if (now - last_out) * 1000 >= self.heartbeat_ms:
                if self.welcomed:
                    self.send({"cmd": "HEARTBEAT"})
                    self.resend_results()
                else:
                    self.ready()                  # section 7.2: repeat READY until WELCOME
                last_out = now

    def run(self):
        while True:
            done = self.session_loop()
            self.socket.close()
            if done:
                return 0
            time.sleep(self.backoff_ms / 1000.0)  # section 7.3 back-off
            self.backoff_ms = min(self.backoff_ms * 2, 32000)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--connect", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--station", required=True, choices=["print", "encode", "qa", "dispatch"])
    p.add_argument("--server-key")
    p.add_argument("--public-key")
    p.add_argument("--secret-key")
    p.add_argument("--jobs", type=int, default=0)
    p.add_argument("--blanks", help="print: comma-separated blank serials in the hopper")
    sys.exit(Device(p.parse_args()).run())


if __name__ == "__main__":
    main()
