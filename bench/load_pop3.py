"""POP3: one session on a 1,000-message Maildir: STAT, UIDL, then RETR of
every message. A raw socket client that reads in large blocks, so the
client's own cost stays small next to the server's."""
import socket
import struct
import time


class Pop3:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # A blocking socket with the kernel's timeouts: Python's own timeout
        # polls before every send and recv.
        self.sock.settimeout(None)
        timeout = struct.pack("ll", 30, 0)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        # One receive buffer for the session: recv(262144) allocated a fresh
        # 256 KB object per call (mmap, mremap and munmap each time), which
        # cost the client more than a RETR cost either server.
        self.chunk = memoryview(bytearray(262144))
        self.buf = bytearray()
        self._single()

    def _read_until(self, end):
        start = 0  # where `end` may still begin: no rescans of a long response
        while True:
            i = self.buf.find(end, start)
            if i >= 0:
                out = bytes(self.buf[:i + len(end)])
                del self.buf[:i + len(end)]
                return out
            start = max(0, len(self.buf) - len(end) + 1)
            n = self.sock.recv_into(self.chunk)
            if not n:
                raise RuntimeError("POP3 server closed the connection")
            self.buf += self.chunk[:n]

    def _single(self):
        line = self._read_until(b"\r\n")
        if not line.startswith(b"+OK"):
            raise RuntimeError(f"POP3: {line!r}")
        return line

    def _multi(self):
        first = self._read_until(b"\r\n")
        if not first.startswith(b"+OK"):
            raise RuntimeError(f"POP3: {first!r}")
        if self.buf.startswith(b".\r\n"):
            del self.buf[:3]
            return b""
        return self._read_until(b"\r\n.\r\n")

    def cmd(self, text, multi=False):
        self.sock.sendall(text.encode() + b"\r\n")
        return self._multi() if multi else self._single()

    def close(self):
        try:
            self.cmd("QUIT")
        finally:
            self.sock.close()


def run_once(port, user, password):
    """Returns STAT time (ms), UIDL time (ms) and RETR messages/s."""
    p = Pop3(port)
    p.cmd(f"USER {user}")
    p.cmd(f"PASS {password}")
    t0 = time.perf_counter()
    count = int(p.cmd("STAT").split()[1])
    t1 = time.perf_counter()
    uidl = p.cmd("UIDL", multi=True)
    t2 = time.perf_counter()
    listed = uidl.count(b"\r\n") - 1
    if listed != count:
        raise RuntimeError(f"UIDL listed {listed} messages, STAT said {count}")
    for i in range(1, count + 1):
        p.cmd(f"RETR {i}", multi=True)
    t3 = time.perf_counter()
    p.close()
    return {"count": count, "stat_ms": (t1 - t0) * 1000, "uidl_ms": (t2 - t1) * 1000,
            "retr_per_s": count / (t3 - t2)}
